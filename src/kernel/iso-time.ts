import * as v from 'valibot';

/** Whether the `YYYY-MM-DD` a timestamp starts with is a day of the calendar (2024-02-29 is; 2026-02-29 and 2026-04-31 are not). */
export function isCalendarDate(text: string): boolean {
  // A batch of records mostly repeats one time: the last date found real is not checked again.
  if (text.length >= 10 && text.startsWith(lastRealDate)) return true;
  const parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!parts) return false;
  const [year, month, day] = parts.slice(1).map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0–99 as 1900–1999
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (real) lastRealDate = parts[0];
  return real;
}
let lastRealDate = '\u0000';

/**
 * The one schema for a time the API accepts: an ISO 8601 timestamp (`format: date-time` in
 * the document) whose date exists. valibot's `isoTimestamp` allows any day 01–31 in any month,
 * and `Date.parse` rolls `2026-02-30` over to March 2, so without the calendar check a
 * mistyped date would be stored as another day.
 */
export const realTimestamp = (message = 'must be an ISO 8601 timestamp') =>
  v.pipe(
    v.string(message),
    v.isoTimestamp(message),
    // valibot runs every action of a pipe: a text that is no timestamp at all has its one message above.
    v.check((text) => !v.ISO_TIMESTAMP_REGEX.test(text) || isCalendarDate(text), (issue) => `must be a real calendar date; ${String(issue.input).slice(0, 10)} does not exist`),
  );
