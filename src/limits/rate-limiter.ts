/** What one request's `take` found: whether it may go on, what is left, and when the window starts again. */
export interface RateDecision {
  allowed: boolean;
  /** Requests left in the current window after this one (0 when refused). */
  remaining: number;
  /** When the current window ends, in epoch milliseconds. */
  resetAt: number;
}

/**
 * Counts requests per key in fixed windows (`windowMs`, the same for every key).
 * `take` charges one request to `key` and says whether it is within `limit`.
 * The embedded adapter (`embedded.ts`) counts in the database every process shares.
 */
export interface RateLimiter {
  readonly windowMs: number;
  take(key: string, limit: number): Promise<RateDecision>;
}
