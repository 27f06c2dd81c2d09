import { recordAudit } from '../audit/record.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { charge, formatMoney, money, type Money } from '../kernel/money.ts';
import { assertChangeable, prorateMidPeriod, storeAdjustments } from './adjustments.ts';
import type { ChangeSeatsInput } from './contract.ts';
import { loadSubscription, saveSubscription } from './load.ts';
import { toSubscriptionResource, toSubscriptionSnapshot } from './present.ts';
import { seatPriceOf } from './seat-price.ts';

const day = (ms: number) => toIso(ms).slice(0, 10);

/** seats × seat price, refused past one charge's ceiling as 422 `amount_out_of_range` naming `seats`. */
export function seatsAmount(seatPrice: Money, seats: number): Money {
  try {
    return charge(seatPrice, seats, 1);
  } catch (error) {
    if (error instanceof DomainError) error.details.field = 'seats';
    throw error;
  }
}

/**
 * Changes a subscription's licensed seats. Mid-period the difference is prorated as a plan
 * change is (src/subscriptions/proration.ts, one line): more seats are a `proration_charge` of
 * (added seats × seat price) for the rest of the period, fewer a `proration_credit` of
 * (removed seats × seat price); the line waits in subscription_adjustments for the next invoice.
 * None while trialing, or when the plan sells no seats (seat price 0). Asking for the seats it
 * already has changes nothing (no event). A canceled subscription is a 409; a sandbox customer's
 * change happens at its test clock's time. Emits `subscription.seats_changed`; audited.
 */
export function changeSeats(ctx: Ctx, id: string, input: ChangeSeatsInput) {
  return withTransaction(ctx, async (outer) => {
    const current = await loadSubscription(outer.tx, id);
    const ctx = await onCustomerClock(outer, current.customerId);
    assertChangeable(current, 'change_seats', 'change the seats');
    if (input.seats === current.seats) return toSubscriptionResource(current);

    const seatPrice = await seatPriceOf(ctx.tx, current);
    seatsAmount(seatPrice, input.seats);
    const delta = input.seats - current.seats;
    const difference = seatsAmount(seatPrice, Math.abs(delta));
    const none = money(0, seatPrice.currency);
    const now = ctx.clock.now();
    const { lines, net } = delta > 0 ? prorateMidPeriod(current, none, difference, now) : prorateMidPeriod(current, difference, none, now);

    const row = await saveSubscription(ctx, current, { seats: input.seats });
    const each = formatMoney(seatPrice);
    const stored = await storeAdjustments(ctx, id, lines, (line) => {
      const span = `${day(line.from)} to ${day(line.to)}`;
      const n = Math.abs(delta);
      return delta > 0
        ? `${n} more ${n === 1 ? 'seat' : 'seats'} × ${each} (${current.seats} → ${input.seats}), remaining time from ${span}`
        : `${n} fewer ${n === 1 ? 'seat' : 'seats'} × ${each} (${current.seats} → ${input.seats}), unused time from ${span}`;
    });
    await emit(ctx, [{ type: 'subscription.seats_changed', subject: id, data: { subscription: toSubscriptionSnapshot(row), from: current.seats, to: input.seats, seat_price: seatPrice, proration: { lines: stored, net } } }]);
    await recordAudit(ctx, { action: 'subscription.change_seats', targetType: 'subscription', targetId: id, data: { from: current.seats, to: input.seats, net: net.amount, currency: net.currency } });
    return toSubscriptionResource(row);
  });
}
