import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { subscriptionAddOns, type invoiceLines } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import { formatMoney } from '../kernel/money.ts';
import { addOnAmount, addOnLabel } from './add-ons.ts';
import { seatsAmount } from './change-seats.ts';
import type { SubscriptionRow } from './present.ts';
import { seatPriceOf } from './seat-price.ts';

type DraftLine = Omit<typeof invoiceLines.$inferInsert, 'id' | 'invoiceId'>;

const day = (ms: number) => toIso(ms).slice(0, 10);

/**
 * The lines an invoice billing `period`'s fee carries besides the plan's fee, in advance, in the
 * subscription's currency:
 *   seats    seats × seat price (src/subscriptions/seat-price.ts), quantity = seats; none at seat price 0
 *   add_on   one per active add-on, oldest first: quantity × unit_amount, source_id = the add-on
 * Changes within the period were prorated when made (subscription_adjustments), so these bill
 * what the subscription holds when the invoice is drafted.
 */
export async function periodFeeLines(db: Executor, sub: SubscriptionRow, period: { start: number; end: number }): Promise<DraftLine[]> {
  const span = `${day(period.start)} to ${day(period.end)}`;
  const lines: DraftLine[] = [];
  const seatPrice = await seatPriceOf(db, sub);
  if (seatPrice.amount !== 0) {
    const description = `${sub.seats} ${sub.seats === 1 ? 'seat' : 'seats'} × ${formatMoney(seatPrice)}, ${span}`;
    lines.push({ kind: 'seats', description, amount: seatsAmount(seatPrice, sub.seats).amount, quantity: sub.seats, periodStart: period.start, periodEnd: period.end, sourceId: null });
  }
  const addOns = await db
    .select()
    .from(subscriptionAddOns)
    .where(and(eq(subscriptionAddOns.subscriptionId, sub.id), isNull(subscriptionAddOns.removedAt)))
    .orderBy(asc(subscriptionAddOns.id));
  for (const a of addOns) {
    if (a.currency !== seatPrice.currency) throw new RangeError(`add-on ${a.id} is in ${a.currency}, the subscription bills in ${seatPrice.currency}`);
    lines.push({ kind: 'add_on', description: `Add-on ${addOnLabel(a)}, ${span}`, amount: addOnAmount(a).amount, quantity: a.quantity, periodStart: period.start, periodEnd: period.end, sourceId: a.id });
  }
  return lines;
}
