import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { decodeCursor, listPage } from '../../db/paging.ts';
import { subscriptionPriceOverrides } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { effectiveCharges, versionCharges } from '../pricing/charges.ts';
import { overridesInForce } from '../pricing/overrides-in-force.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import type { ListPriceOverrideVersionsQuery, PriceOverrideResource } from './contract.ts';
import { toPriceOverrideResource } from './present.ts';

/**
 * The version in force of a subscription's negotiated prices, with `effective_charges`: the
 * plan version's charges (its token terms included) with the negotiated ones in place.
 * 404 when the subscription (or a deal for it) does not exist.
 */
export async function getPricesInForce(db: Executor, subscriptionId: string): Promise<PriceOverrideResource> {
  const sub = await loadSubscription(db, subscriptionId);
  const row = await overridesInForce(db, subscriptionId);
  if (!row) throw notFound('Negotiated prices', subscriptionId);
  const plan = await loadPlanVersion(db, sub.planId, sub.planVersion, sub.currency);
  const version = versionCharges({ charges: plan.charges, includedTokens: plan.includedTokens, overagePricePer1k: plan.overagePricePer1k });
  return toPriceOverrideResource(row, plan.currency, effectiveCharges(version, row.charges));
}

/** Every version of a subscription's negotiated prices, newest first, one keyset page at a time. */
export async function listPriceOverrideVersions(db: Executor, subscriptionId: string, query: ListPriceOverrideVersionsQuery) {
  const sub = await loadSubscription(db, subscriptionId);
  const { currency } = await loadPlanVersion(db, sub.planId, sub.planVersion, sub.currency);
  return listPage(db.select().from(subscriptionPriceOverrides).$dynamic(), query, {
    key: subscriptionPriceOverrides.version,
    keyOf: (r) => r.version,
    order: 'desc',
    where: [eq(subscriptionPriceOverrides.subscriptionId, subscriptionId)],
    decodeKey: (cursor) => decodeCursor(cursor, 'number'),
    present: async (rows) => rows.map((r) => toPriceOverrideResource(r, currency)),
  });
}
