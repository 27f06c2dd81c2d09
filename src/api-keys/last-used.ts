/** A key's last-used time is written at most this often per key and process. */
export const LAST_USED_FLUSH_MS = 60_000;

/**
 * Remembers, per process, when each key's last-used time was last written, so an
 * authenticated request costs no write unless a minute has passed for its key.
 */
export interface LastUsedTracker {
  /** Records a use at `now`; true when this use should be written (first in this process, or a minute since the last write). */
  due(keyId: string, now: number): boolean;
}

/** The in-memory tracker each process builds once (`composeDeps`). */
export function createLastUsedTracker(flushMs = LAST_USED_FLUSH_MS): LastUsedTracker {
  const written = new Map<string, number>();
  return {
    due(keyId, now) {
      const last = written.get(keyId);
      if (last !== undefined && now - last < flushMs) return false;
      written.set(keyId, now);
      return true;
    },
  };
}
