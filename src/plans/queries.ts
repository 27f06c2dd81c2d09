import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { plans, planVersions } from '../../db/schema/index.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { loadPlan, loadPlanVersion } from './load.ts';
import { toPlanResource } from './present.ts';
import type { ListPlansQuery, ListPlanVersionsQuery } from './schema.ts';

/** One plan at its current version, or at `version` when given. */
export async function getPlan(db: Executor, id: string, version?: number) {
  const plan = await loadPlan(db, id);
  return toPlanResource(plan, await loadPlanVersion(db, id, version ?? plan.currentVersion));
}

/** Plans at their current version, newest first, filtered, one keyset page at a time. */
export async function listPlans(db: Executor, query: ListPlansQuery) {
  const after = decodeCursor(query.cursor, 'string');
  const filters: (SQL | undefined)[] = [
    after ? lt(plans.id, after) : undefined,
    query.status ? eq(plans.status, query.status) : undefined,
    query.code ? eq(plans.code, query.code) : undefined,
  ];
  const rows = await db
    .select({ plan: plans, version: planVersions })
    .from(plans)
    .innerJoin(planVersions, and(eq(planVersions.planId, plans.id), eq(planVersions.version, plans.currentVersion)))
    .where(and(...filters))
    .orderBy(desc(plans.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => r.plan.id, (r) => toPlanResource(r.plan, r.version));
}

/** Every version of a plan, oldest first, one keyset page at a time. */
export async function listPlanVersions(db: Executor, id: string, query: ListPlanVersionsQuery) {
  const plan = await loadPlan(db, id);
  const after = decodeCursor(query.cursor, 'number');
  const rows = await db
    .select()
    .from(planVersions)
    .where(and(eq(planVersions.planId, id), after !== undefined ? gt(planVersions.version, after) : undefined))
    .orderBy(asc(planVersions.version))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => r.version, (r) => toPlanResource(plan, r));
}
