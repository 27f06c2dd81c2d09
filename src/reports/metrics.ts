import { billedSubscriptionStatuses, type planIntervals, type subscriptionStatuses } from '../../db/schema/index.ts';
import { divideHalfUp } from '../kernel/money.ts';

/**
 * The arithmetic of the reports, over plain data: no database, no clock.
 * Amounts are integer minor units; a yearly price counts as round_half_up(price / 12) a month.
 */
export type Interval = (typeof planIntervals)[number];
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** Statuses whose subscriptions count in MRR: they are being billed (past_due still owes and may recover). */
export const MRR_STATUSES: readonly SubscriptionStatus[] = billedSubscriptionStatuses;

/** A price normalised to one month: monthly as is, yearly divided by 12 and rounded half away from zero. */
export function monthlyAmount(price: number, interval: Interval): number {
  return interval === 'month' ? price : Number(divideHalfUp(BigInt(price), 12n));
}

/** What one subscription adds to MRR in a state: its currency and monthly amount, or null when it does not count. */
export type Contribution = { currency: string; amount: number } | null;

/** A subscription's state as far as MRR cares: its status and its plan version's price. */
export interface PricedState {
  status: SubscriptionStatus;
  price: number;
  currency: string;
  interval: Interval;
}

/** The contribution of a subscription in `state` (null for no state: it did not exist yet). */
export function contributionOf(state: PricedState | null): Contribution {
  if (!state || !MRR_STATUSES.includes(state.status)) return null;
  return { currency: state.currency, amount: monthlyAmount(state.price, state.interval) };
}

/** MRR movement in one currency; every figure is a magnitude (≥ 0) and net = new + expansion − contraction − churn. */
export interface Movement {
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  net: number;
}

const emptyMovement = (): Movement => ({ new: 0, expansion: 0, contraction: 0, churn: 0, net: 0 });

/** Adds the change of one subscription from `before` to `after` to the per-currency movement `into`. */
export function addMovement(into: Map<string, Movement>, before: Contribution, after: Contribution): void {
  const bucket = (currency: string) => into.get(currency) ?? (into.set(currency, emptyMovement()), into.get(currency)!);
  // A plan change keeps the currency; anything else is the old revenue leaving and new arriving.
  if (before && after && before.currency === after.currency) {
    const m = bucket(after.currency);
    const delta = after.amount - before.amount;
    if (delta > 0) m.expansion += delta;
    if (delta < 0) m.contraction -= delta;
    m.net += delta;
    return;
  }
  if (before) {
    const m = bucket(before.currency);
    m.churn += before.amount;
    m.net -= before.amount;
  }
  if (after) {
    const m = bucket(after.currency);
    m.new += after.amount;
    m.net += after.amount;
  }
}

/** One subscription's history: its state before the window, then each change (time in ms) in order. */
export interface Timeline {
  initial: PricedState | null;
  changes: { at: number; state: PricedState }[];
}

/** The state of a timeline at `time` (the last change before it). */
export function stateAt(timeline: Timeline, time: number): PricedState | null {
  let state = timeline.initial;
  for (const change of timeline.changes) {
    if (change.at >= time) break;
    state = change.state;
  }
  return state;
}

/**
 * MRR movement per window: `bounds` are n + 1 ascending times (ms) delimiting n windows
 * [bounds[i], bounds[i + 1]). Each subscription is compared between a window's start and its
 * end, so one created and canceled within a window moves nothing, and per currency
 * MRR(end) = MRR(start) + net.
 */
export function movementPerWindow(timelines: Iterable<Timeline>, bounds: readonly number[]): Map<string, Movement>[] {
  const windows = bounds.slice(1).map(() => new Map<string, Movement>());
  for (const timeline of timelines) {
    let before = contributionOf(stateAt(timeline, bounds[0]!));
    for (let i = 0; i < windows.length; i++) {
      const after = contributionOf(stateAt(timeline, bounds[i + 1]!));
      addMovement(windows[i]!, before, after);
      before = after;
    }
  }
  return windows;
}

/** The first millisecond of the UTC month containing `ms`, moved by `months` (negative: earlier). */
export function monthStart(ms: number, months = 0): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
}

/** The starts of the `count` UTC months ending with the one containing `now`, oldest first. */
export function lastMonths(now: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => monthStart(now, i - count + 1));
}

/** Sums `items` by key (a currency, an event type) into one array per key aligned with `starts` (month or minute starts, ascending); items before the first start or at `end` and after are left out. */
export function perPeriod(items: Iterable<{ at: number; key: string; amount: number }>, starts: readonly number[], end: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const item of items) {
    if (item.at < starts[0]! || item.at >= end) continue;
    let i = starts.length - 1;
    while (item.at < starts[i]!) i--;
    const series = out.get(item.key) ?? (out.set(item.key, starts.map(() => 0)), out.get(item.key)!);
    series[i]! += item.amount;
  }
  return out;
}

/** An open invoice as the overdue rule reads it. */
export interface OpenInvoice {
  firstFailedAt: number | null;
  autoCollect: boolean;
}

/**
 * Invoices carry no payment terms: an invoice is due when it is finalized, and automatic
 * collection charges it then. So an open invoice is overdue once that charge failed (it is
 * in dunning) or once nothing collects it any more (`auto_collect` off, e.g. the customer
 * was erased); before that it is open and being collected.
 */
export const isOverdue = (invoice: OpenInvoice): boolean => invoice.firstFailedAt !== null || !invoice.autoCollect;
