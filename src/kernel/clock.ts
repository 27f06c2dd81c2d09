/** Source of the current time. Domain code asks the clock, never `Date.now()`. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests and simulations. */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

/** Creates a clock that starts at `startMs` and moves only when told. */
export function manualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/** ISO 8601 rendering of a stored millisecond timestamp; the one form the API shows. */
export const toIso = (ms: number): string => new Date(ms).toISOString();

/** Like `toIso` but passes null through. */
export const toIsoOrNull = (ms: number | null): string | null => (ms === null ? null : toIso(ms));

/** A clock stopped at `ms`: what a test clock's customers see (src/customers/clock.ts). */
export const frozenClock = (ms: number): Clock => ({ now: () => ms });
