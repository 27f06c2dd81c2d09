import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { decodeCursor, filterBy, listPage } from '../../db/paging.ts';
import { plans, planVersions } from '../../db/schema/index.ts';
import { loadPlan, loadPlanPrices, loadPlanVersion, loadPricesOf } from './load.ts';
import { toPlanResource } from './present.ts';
import type { ListPlansQuery, ListPlanVersionsQuery } from './contract.ts';

/** One plan at its current version, or at `version` when given. */
export async function getPlan(db: Executor, id: string, version?: number) {
  const plan = await loadPlan(db, id);
  const at = version ?? plan.currentVersion;
  return toPlanResource(plan, await loadPlanVersion(db, id, at), await loadPlanPrices(db, id, at));
}

/** Plans at their current version, newest first, filtered, one keyset page at a time. */
export function listPlans(db: Executor, query: ListPlansQuery) {
  const select = db.select({ plan: plans, version: planVersions }).from(plans).innerJoin(planVersions, and(eq(planVersions.planId, plans.id), eq(planVersions.version, plans.currentVersion)));
  const where = [filterBy(plans.status, query.status), filterBy(plans.code, query.code)];
  return listPage(select.$dynamic(), query, { key: plans.id, keyOf: (r) => r.plan.id, where, present: async (rows) => {
    const prices = await loadPricesOf(db, rows.map((r) => r.version));
    return rows.map((r) => toPlanResource(r.plan, r.version, prices.get(`${r.plan.id}@${r.version.version}`) ?? []));
  } });
}

/** Every version of a plan, oldest first, one keyset page at a time. */
export async function listPlanVersions(db: Executor, id: string, query: ListPlanVersionsQuery) {
  const plan = await loadPlan(db, id);
  return listPage(db.select().from(planVersions).$dynamic(), query, {
    key: planVersions.version,
    keyOf: (r) => r.version,
    order: 'asc',
    where: [eq(planVersions.planId, id)],
    decodeKey: (cursor) => decodeCursor(cursor, 'number'),
    present: async (rows) => {
      const prices = await loadPricesOf(db, rows);
      return rows.map((r) => toPlanResource(plan, r, prices.get(`${r.planId}@${r.version}`) ?? []));
    },
  });
}
