import type { PlanInterval } from '../plans/terms.ts';

/**
 * Billing periods in UTC, counted from the subscription's anchor (its start, or the
 * end of its trial). Times are integer milliseconds since the epoch.
 *
 *   period n = [addInterval(anchor, interval, n), addInterval(anchor, interval, n + 1))
 *
 * A year is 12 months. Adding months keeps the anchor's time of day and its day of the
 * month, clamped to the last day of a shorter month: from a Jan 31 anchor the periods
 * start Feb 28 (29 in a leap year), Mar 31, Apr 30, … Every boundary is computed from
 * the anchor, never from the previous boundary, so one short month does not pull every
 * later period to the 28th. Periods are half-open: a period's end is the next one's start.
 */
export interface Period {
  /** Which period since the anchor, from 0. */
  index: number;
  start: number;
  end: number;
}

export const DAY_MS = 86_400_000;

const MONTHS: Record<PlanInterval, number> = { month: 1, year: 12 };

function assertTime(ms: number, what: string): void {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`${what} must be integer milliseconds, got ${ms}`);
}

/** `ms` plus `count` months or years in UTC, on the same day of the month clamped to the month's end. */
export function addInterval(ms: number, interval: PlanInterval, count: number): number {
  assertTime(ms, 'time');
  if (!Number.isSafeInteger(count)) throw new RangeError(`count must be an integer, got ${count}`);
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + MONTHS[interval] * count;
  const timeOfDay = ms - Date.UTC(year, date.getUTCMonth(), date.getUTCDate());
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)) + timeOfDay;
}

/** The period of a subscription anchored at `anchorMs` that contains `atMs` (start ≤ at < end). */
export function periodContaining(anchorMs: number, interval: PlanInterval, atMs: number): Period {
  assertTime(anchorMs, 'anchor');
  assertTime(atMs, 'time');
  if (atMs < anchorMs) throw new RangeError('a subscription has no period before its anchor');
  const from = new Date(anchorMs);
  const to = new Date(atMs);
  const months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  // A first guess from calendar months, off by at most one period either way.
  let index = Math.max(0, Math.floor(months / MONTHS[interval]));
  while (index > 0 && addInterval(anchorMs, interval, index) > atMs) index -= 1;
  while (addInterval(anchorMs, interval, index + 1) <= atMs) index += 1;
  return { index, start: addInterval(anchorMs, interval, index), end: addInterval(anchorMs, interval, index + 1) };
}

/** When a trial of `trialDays` whole UTC days started at `startMs` ends; `startMs` itself when there is no trial. */
export function trialEnd(startMs: number, trialDays: number): number {
  assertTime(startMs, 'start');
  if (!Number.isSafeInteger(trialDays) || trialDays < 0) throw new RangeError(`trial days must be a whole, non-negative number, got ${trialDays}`);
  return startMs + trialDays * DAY_MS;
}
