import { lt } from 'drizzle-orm';
import { idempotencyKeys } from '../../db/schema/index.ts';
import type { Ctx } from '../kernel/context.ts';

/** How long a key is remembered; after that the same key starts a new request. */
export const IDEMPOTENCY_RETAIN_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes Idempotency-Key records past retention: they can no longer be
 * replayed, and their stored responses may hold personal data.
 * Returns how many were deleted.
 */
export async function purgeExpiredIdempotencyKeys(ctx: Pick<Ctx, 'transactor' | 'clock'>): Promise<number> {
  const cutoff = ctx.clock.now() - IDEMPOTENCY_RETAIN_MS;
  const deleted = await ctx.transactor.write((tx) =>
    tx.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, cutoff)).returning({ key: idempotencyKeys.key }),
  );
  return deleted.length;
}
