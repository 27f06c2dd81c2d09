import type { Clock } from '../kernel/clock.ts';
import type { Transactor } from '../kernel/transactor.ts';
import { countHits, purgeEndedWindows } from './counter.ts';
import type { RateDecision, RateLimiter } from './rate-limiter.ts';

/** This process's share of a key's window: requests it reserved in the database and has not used yet. */
interface Allotment {
  resetAt: number;
  tokens: number;
  /** The shared count after this process's last reservation (reserved by every process, at most the limit). */
  reserved: number;
  /** The shared count had reached the limit: nothing more to reserve until `resetAt`. */
  exhausted: boolean;
}

export interface EmbeddedRateLimiterOptions {
  transactor: Transactor;
  clock: Clock;
  windowMs: number;
  /**
   * How many requests a process reserves per database write, as a fraction of the
   * limit (1/50 by default: one write per 2 % of the limit). Limits under
   * 1/fraction reserve one at a time, which counts exactly.
   */
  batchFraction?: number;
}

/** Above this many keys, allotments of ended windows are dropped. */
const SWEEP_AT = 10_000;

/**
 * The embedded rate limiter: fixed-window counters in the shared database
 * (`rate_counters`), reserved in batches so that a busy key costs one write per
 * batch, not one per request.
 *
 * Each process takes a batch of requests from a key's shared counter with one
 * atomic upsert (through the transactor, so concurrent reservations share a
 * commit) and hands them out from memory, reserving the next batch in the
 * background when half of one is left (batches of one are counted exactly, one
 * write per request, without reserving ahead). Across all processes no more than
 * `limit` requests are ever admitted in a window; a process may hold up to one
 * and a half unused batches, so another process can be refused that much early. Once the
 * shared counter has reached the limit every process refuses the key from memory
 * until the window ends (a counter never goes down within its window).
 */
export function createEmbeddedRateLimiter(options: EmbeddedRateLimiterOptions): RateLimiter {
  const { transactor, clock, windowMs } = options;
  const fraction = options.batchFraction ?? 1 / 50;
  const allotments = new Map<string, Allotment>();
  const reserving = new Map<string, Promise<void>>();
  const batchOf = (limit: number) => Math.max(1, Math.floor(limit * fraction));

  async function reserve(key: string, limit: number): Promise<void> {
    const batch = batchOf(limit);
    const { count, resetsAt } = await transactor.write(async (tx) => {
      const now = clock.now();
      await purgeEndedWindows(tx, now);
      return countHits(tx, key, { by: batch, windowMs, now });
    });
    const before = count - batch;
    const granted = Math.max(0, Math.min(batch, limit - before));
    const current = allotments.get(key);
    // Tokens left from an earlier batch of the same window stay this process's.
    const kept = current && current.resetAt === resetsAt ? current.tokens : 0;
    allotments.set(key, { resetAt: resetsAt, tokens: kept + granted, reserved: Math.min(count, limit), exhausted: before + granted >= limit });
  }

  /** One reservation per key at a time in this process: the others wait for (or leave to) its batch. */
  function reserveOnce(key: string, limit: number): Promise<void> {
    let pending = reserving.get(key);
    if (!pending) {
      pending = reserve(key, limit).finally(() => reserving.delete(key));
      reserving.set(key, pending);
    }
    return pending;
  }

  function sweep(now: number) {
    if (allotments.size < SWEEP_AT) return;
    for (const [key, a] of allotments) if (a.resetAt <= now) allotments.delete(key);
  }

  return {
    windowMs,
    async take(key, limit): Promise<RateDecision> {
      for (;;) {
        const now = clock.now();
        const a = allotments.get(key);
        if (a && a.resetAt > now) {
          if (a.tokens > 0) {
            a.tokens -= 1;
            // Half a batch left: the next one is reserved in the background, so a busy key never waits for a write
            // (not for batches of one: those count exactly). A failed reservation is retried when the tokens run out.
            const batch = batchOf(limit);
            if (batch > 1 && !a.exhausted && a.tokens <= batch / 2 && !reserving.has(key)) reserveOnce(key, limit).catch(() => undefined);
            return { allowed: true, remaining: limit - a.reserved + a.tokens, resetAt: a.resetAt };
          }
          if (a.exhausted) return { allowed: false, remaining: 0, resetAt: a.resetAt };
        }
        sweep(now);
        await reserveOnce(key, limit);
      }
    },
  };
}
