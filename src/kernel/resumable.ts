import { withTransaction, type Ctx, type TxCtx } from './context.ts';

/** Where a multi-step write stands after its first transaction: plain JSON, kept with its Idempotency-Key. */
export type RecoveryPoint = Record<string, string | number | boolean | null>;

/**
 * A write that commits several times (a payment saga commits before and after the
 * provider call; a test-clock advance commits per simulated step), in three parts:
 *
 *   begin    one transaction: creates what the write is about (the invoice, the payment …)
 *            and returns its recovery point: the ids a retry needs to carry on. Under an
 *            Idempotency-Key the point commits with the effect (src/http/saga.ts), so a
 *            retry either finds it and resumes, or finds none and nothing was done.
 *   proceed  the steps after it, each its own transaction, from the recovery point;
 *            safe to run again after a crash anywhere in them (`resumed`: a retry took
 *            over from a request that died, and must take over what that one held).
 *   finish   the answer, read (and any last effect made) in the transaction that stores
 *            the answer under the key, so the answer and the last effect commit together.
 *
 * Without a key it is just the three parts in a row (`runResumable`).
 */
export interface ResumableWrite<P extends RecoveryPoint, R, T> {
  begin(ctx: TxCtx): Promise<P>;
  proceed(ctx: Ctx, point: P, resumed: boolean): Promise<R>;
  finish(ctx: TxCtx, point: P, progress: R): Promise<T>;
}

/** Runs a resumable write start to end, with no Idempotency-Key (workers, dashboard forms, tests). */
export async function runResumable<P extends RecoveryPoint, R, T>(ctx: Ctx, write: ResumableWrite<P, R, T>): Promise<T> {
  const point = await withTransaction(ctx, (tx) => write.begin(tx));
  const progress = await write.proceed(ctx, point, false);
  return withTransaction(ctx, (tx) => write.finish(tx, point, progress));
}
