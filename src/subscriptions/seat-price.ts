import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { planPrices, planVersions } from '../../db/schema/index.ts';
import { DomainError } from '../kernel/errors.ts';
import { money, type Money } from '../kernel/money.ts';
import { unpriced } from '../plans/load.ts';
import { overridesInForce } from '../pricing/overrides-in-force.ts';
import type { SubscriptionRow } from './present.ts';

/**
 * The price of one licensed seat per period for a subscription, in its currency:
 *   a negotiated seat price in force (src/price-overrides/load.ts), else
 *   its plan version's `seat_price` when it bills in the version's default currency, else
 *   that version's `plan_prices.seat_price` in the subscription's currency.
 * 0 when the plan sells no seats. Every seat amount (the `seats` invoice line, a seat change's
 * proration, whether the licensed count is the `seats` entitlement) reads it here.
 */
export async function seatPriceOf(db: Executor, sub: Pick<SubscriptionRow, 'planId' | 'planVersion' | 'currency'> & { id: string | null }): Promise<Money> {
  const [version] = await db
    .select({ currency: planVersions.currency, seatPrice: planVersions.seatPrice })
    .from(planVersions)
    .where(and(eq(planVersions.planId, sub.planId), eq(planVersions.version, sub.planVersion)));
  if (!version) throw new DomainError('not_found', `plan ${sub.planId} has no version ${sub.planVersion}`, { resource: 'plan_version', id: sub.planId, version: sub.planVersion });
  const currency = sub.currency ?? version.currency;
  // A subscription not created yet (id null) has no deal.
  const negotiated = sub.id === null ? null : ((await overridesInForce(db, sub.id))?.seatPrice ?? null);
  if (negotiated !== null) return money(negotiated, currency);
  if (currency === version.currency) return money(version.seatPrice, currency);
  const [price] = await db
    .select({ seatPrice: planPrices.seatPrice })
    .from(planPrices)
    .where(and(eq(planPrices.planId, sub.planId), eq(planPrices.version, sub.planVersion), eq(planPrices.currency, currency)));
  if (!price) throw unpriced(sub.planId, sub.planVersion, currency);
  return money(price.seatPrice, currency);
}
