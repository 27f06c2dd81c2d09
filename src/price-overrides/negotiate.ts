import { subscriptionPriceOverrides, type StoredCharge } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError, validationError } from '../kernel/errors.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { chargeIssuesAgainst, toStoredCharge } from '../pricing/check-charges.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import type { NegotiatePricesInput, PriceOverrideResource } from './contract.ts';
import { overridesInForce } from '../pricing/overrides-in-force.ts';
import { toPriceOverrideResource, type PriceOverrideRow } from './present.ts';

/** JSON with object keys sorted, so two charges compare equal whatever order their fields came in. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );

/** The meters whose negotiated charge differs between two versions: added, changed or dropped, by code. */
export function changedMeters(before: readonly StoredCharge[], after: readonly StoredCharge[]): string[] {
  const was = new Map(before.map((c) => [c.meter, canonical(c)]));
  const now = new Map(after.map((c) => [c.meter, canonical(c)]));
  return [...new Set([...was.keys(), ...now.keys()])].filter((meter) => was.get(meter) !== now.get(meter)).sort();
}

/**
 * Writes version n+1 of a subscription's negotiated prices (a deal); no older version is ever
 * changed. The charges are checked against the meters and the subscription's currency, every
 * issue at once (400), before anything is written. A body equal to the version in force writes
 * nothing and answers it. A canceled subscription takes no deal (409 `invalid_transition`).
 * Emits `subscription.prices_negotiated`; audited as `subscription.prices_negotiate`.
 */
export function negotiatePrices(ctx: Ctx, subscriptionId: string, input: NegotiatePricesInput): Promise<PriceOverrideResource> {
  return withTransaction(ctx, async (outer) => {
    const sub = await loadSubscription(outer.tx, subscriptionId);
    if (sub.status === 'canceled') throw new DomainError('invalid_transition', `subscription ${subscriptionId} is canceled; its prices cannot change`, { current_status: sub.status });
    // A sandbox customer's deal is made at its test clock's time.
    const ctx = await onCustomerClock(outer, sub.customerId);
    const { currency } = await loadPlanVersion(ctx.tx, sub.planId, sub.planVersion, sub.currency);
    const issues = await chargeIssuesAgainst(ctx.tx, input.charges, currency);
    if (issues.length > 0) throw validationError(issues);

    const charges = input.charges.map(toStoredCharge);
    const seatPrice = input.seat_price ?? null;
    const note = input.note ?? null;
    const current = await overridesInForce(ctx.tx, subscriptionId);
    if (current && same(current, { charges, seatPrice, note })) return toPriceOverrideResource(current, currency);

    const version = (current?.version ?? 0) + 1;
    const [row] = await ctx.tx
      .insert(subscriptionPriceOverrides)
      .values({ subscriptionId, version, charges, seatPrice, note, createdBy: ctx.actor.id, createdAt: ctx.clock.now() })
      .returning();
    const previousVersion = current?.version ?? null;
    const meters = changedMeters(current?.charges ?? [], charges);
    const changed = [...(meters.length ? ['charges'] : []), ...(seatPrice !== (current?.seatPrice ?? null) ? ['seat_price'] : []), ...(note !== (current?.note ?? null) ? ['note'] : [])];
    await emit(ctx, [
      {
        type: 'subscription.prices_negotiated',
        subject: subscriptionId,
        data: { subscription_id: subscriptionId, version, previous_version: previousVersion, charges, seat_price: seatPrice === null ? null : { amount: seatPrice, currency }, note },
      },
    ]);
    await recordAudit(ctx, { action: 'subscription.prices_negotiate', targetType: 'subscription', targetId: subscriptionId, data: { version, previous_version: previousVersion, changed, meters } });
    return toPriceOverrideResource(row!, currency);
  });
}

const same = (row: PriceOverrideRow, next: { charges: StoredCharge[]; seatPrice: number | null; note: string | null }) =>
  canonical(row.charges) === canonical(next.charges) && row.seatPrice === next.seatPrice && row.note === next.note;
