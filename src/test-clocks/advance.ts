import { and, eq, gt, inArray, min } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { billedSubscriptionStatuses, invoices, livePaymentStatuses, payments, subscriptions, testClocks } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { customersInScope, runBillingCycle, type BillingReport, type BillingScope } from '../billing/cycle.ts';
import { emit } from '../events/outbox.ts';
import { frozenClock, toIso } from '../kernel/clock.ts';
import type { ResumableWrite } from '../kernel/resumable.ts';
import { conflict, validationError } from '../kernel/errors.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { MAX_ADVANCE_MS, type AdvanceTestClockInput, type TestClockAdvanceResource } from './contract.ts';
import { customersOn, loadTestClock } from './load.ts';
import { toTestClockResource, toTestClockSnapshot } from './present.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * The longest step between two passes: the pass also runs at least once per simulated
 * day, so a step it takes that this module does not know the due time of (say, credit
 * expiring) still happens within a day of when it would live.
 */
const MAX_STEP_MS = DAY_MS;
/** Passes at one step while the previous one still found work (a renewal whose invoice is then collected …). */
const MAX_PASSES_PER_STEP = 4;

/** Where an advance stands: the clock, and the times it moves from and to. */
type AdvancePoint = { test_clock_id: string; from: number; to: number };
/** What the steps of one run of an advance did. */
type AdvanceProgress = BillingReport & { steps: number };

/**
 * Advances a test clock to `frozen_time` as if the time passed for its customers: in
 * steps, each at the next boundary one of them has (a trial's or period's end, a draft's
 * review window, a dunning retry, a payment's lease) or at most a day later, the clock is
 * moved and the billing pass runs for that clock's customers only at that time
 * (src/billing/cycle.ts), so a year renews every period, finalizes, collects and dunns in
 * order, with the same events as live. It runs inside the request and answers when the
 * clock is `ready` at the new time. Resumable (src/kernel/resumable.ts): the first
 * transaction marks the clock `advancing` (the recovery point: from and to), each step
 * commits its progress (the clock's `frozen_time`), and the last transaction makes it
 * `ready` with the stored answer; a crash leaves it `advancing` part way, and the same
 * advance again (a retried key, or the same target) resumes from the step it reached
 * (another target is a 409). The answer counts what the run that finished it did.
 * Only forward, at most two years per call. Emits `test_clock.advanced`.
 */
export function advanceTestClockWrite(provider: PaymentProvider, id: string, input: AdvanceTestClockInput): ResumableWrite<AdvancePoint, AdvanceProgress, TestClockAdvanceResource> {
  const target = Date.parse(input.frozen_time);
  return {
    async begin(ctx) {
      const clock = await loadTestClock(ctx.tx, id);
      if (clock.status === 'advancing' && clock.advancingTo !== target) {
        throw conflict(`test clock ${id} is advancing to ${toIso(clock.advancingTo!)}; repeat that advance to finish it first`, { advancing_to: toIso(clock.advancingTo!) });
      }
      if (clock.status === 'ready') {
        if (target <= clock.frozenTime) throw validationError([{ field: 'frozen_time', message: `must be after the clock's frozen_time ${toIso(clock.frozenTime)}: a test clock only moves forward` }]);
        if (target - clock.frozenTime > MAX_ADVANCE_MS) throw validationError([{ field: 'frozen_time', message: `must be at most two years (731 days) after the clock's frozen_time ${toIso(clock.frozenTime)}` }]);
        await ctx.tx.update(testClocks).set({ status: 'advancing', advancingTo: target, updatedAt: ctx.clock.now(), version: clock.version + 1 }).where(eq(testClocks.id, id));
        await recordAudit(ctx, { action: 'test_clock.advance', targetType: 'test_clock', targetId: id, data: { from: toIso(clock.frozenTime), to: input.frozen_time } });
      }
      return { test_clock_id: id, from: clock.frozenTime, to: target };
    },

    async proceed(ctx) {
      const scope: BillingScope = { testClockId: id };
      const total: AdvanceProgress = { steps: 0, advanced: 0, invoicedEarly: 0, finalized: 0, attempted: 0, resumed: 0, expired: 0, errors: 0 };
      const clock = await loadTestClock(ctx.db, id);
      // Finished already (by the same advance under another key): nothing left to run.
      if (clock.status !== 'advancing' || clock.advancingTo !== target) return total;
      // The first step is where the clock stands: what fell due exactly then (a first attempt at
      // subscription time) runs at its time; a resumed advance re-runs the step it reached.
      let at = clock.frozenTime;
      for (;;) {
        await ctx.transactor.write((tx) => tx.update(testClocks).set({ frozenTime: at }).where(eq(testClocks.id, id)));
        total.steps++;
        for (let pass = 0; pass < MAX_PASSES_PER_STEP; pass++) {
          const report = await runBillingCycle({ ...ctx, clock: frozenClock(at), payments: provider }, scope);
          for (const key of Object.keys(report) as (keyof BillingReport)[]) total[key] += report[key];
          // Another pass at the same time while the last one did anything (one step can enable the next).
          const done = (Object.keys(report) as (keyof BillingReport)[]).reduce((n, key) => (key === 'errors' ? n : n + report[key]), 0);
          if (done === 0 || report.errors > 0) break;
        }
        if (at >= target) break;
        at = Math.min((await nextDue(ctx.db, scope, at)) ?? Infinity, at + MAX_STEP_MS, target);
      }
      return total;
    },

    async finish(ctx, point, progress) {
      const { steps, ...total } = progress;
      const advance = { from: toIso(point.from), to: toIso(target), steps, ...total };
      const clock = await loadTestClock(ctx.tx, id);
      if (clock.status !== 'advancing' || clock.advancingTo !== target) return { ...toTestClockResource(clock, await customersOn(ctx.tx, id)), advance };
      const [row] = await ctx.tx.update(testClocks).set({ status: 'ready', advancingTo: null, frozenTime: target, updatedAt: ctx.clock.now() }).where(eq(testClocks.id, id)).returning();
      await emit(ctx, [{ type: 'test_clock.advanced', subject: id, data: { test_clock: toTestClockSnapshot(row!), previous_frozen_time: advance.from, steps } }]);
      return { ...toTestClockResource(row!, await customersOn(ctx.tx, id)), advance };
    },
  };
}

/** The earliest time after `after` at which the pass has something to do for the scope's customers, or null. */
async function nextDue(db: Executor, scope: BillingScope, after: number): Promise<number | null> {
  const [trial] = await db
    .select({ at: min(subscriptions.trialEnd) })
    .from(subscriptions)
    .where(and(eq(subscriptions.status, 'trialing'), gt(subscriptions.trialEnd, after), customersInScope(db, subscriptions.customerId, scope)));
  const [period] = await db
    .select({ at: min(subscriptions.currentPeriodEnd) })
    .from(subscriptions)
    .where(and(inArray(subscriptions.status, billedSubscriptionStatuses), gt(subscriptions.currentPeriodEnd, after), customersInScope(db, subscriptions.customerId, scope)));
  const [draft] = await db
    .select({ at: min(invoices.finalizeAt) })
    .from(invoices)
    .where(and(eq(invoices.status, 'draft'), gt(invoices.finalizeAt, after), customersInScope(db, invoices.customerId, scope)));
  const [retry] = await db
    .select({ at: min(invoices.nextAttemptAt) })
    .from(invoices)
    .where(and(eq(invoices.status, 'open'), eq(invoices.autoCollect, true), gt(invoices.nextAttemptAt, after), customersInScope(db, invoices.customerId, scope)));
  const [lease] = await db
    .select({ at: min(payments.lockedUntil) })
    .from(payments)
    .where(and(inArray(payments.status, livePaymentStatuses), gt(payments.lockedUntil, after), customersInScope(db, payments.customerId, scope)));
  const times = [trial?.at, period?.at, draft?.at, retry?.at, lease?.at].filter((t): t is number => t !== null && t !== undefined);
  return times.length === 0 ? null : Math.min(...times);
}
