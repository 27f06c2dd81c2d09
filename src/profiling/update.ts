import { eq } from 'drizzle-orm';
import { customers, loyalty, profiles } from '../../db/schema/index.ts';
import { onClockOf } from '../customers/clock.ts';
import { compareSegments } from '../customers/lifecycle.ts';
import { promoteCustomer } from '../customers/transition.ts';
import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { minorUnitDigits } from '../kernel/currency.ts';
import { recordLoyalty, type LoyaltyChange } from './loyalty.ts';
import { profileCustomer } from './rules.ts';

const DAY_MS = 86_400_000;

/** Whole major units of every currency's revenue, summed (no conversion; documented in the rules). */
const revenueMajor = (revenue: Record<string, number>) =>
  Object.entries(revenue).reduce((sum, [currency, minor]) => sum + Math.floor(minor / 10 ** minorUnitDigits(currency)), 0);

/** Why a customer is profiled again. */
export interface ProfileTrigger {
  customerId: string;
  /**
   * A customer event's per-subject sequence: ignored when the stored profile reflects this one
   * or a later one, and stored (with `customer.profiled`) even when nothing changed. Null for a
   * billing or usage event, which stores and emits only when the segment or risk changed.
   */
  sequence: number | null;
  /** What a billing or usage event adds to the customer's loyalty first. */
  loyalty?: LoyaltyChange | undefined;
}

/**
 * Recomputes a customer's profile from its current record and its loyalty (revenue, usage,
 * tenure), stores it, emits `customer.profiled`, and promotes an active customer one step at a
 * time up to the computed segment. An erased or unknown customer keeps no profile.
 */
export async function updateProfile(outer: TxCtx, trigger: ProfileTrigger, options: { firstPaymentBonusBps: number }): Promise<void> {
  const { customerId, sequence } = trigger;
  // Read first: a sandbox customer is profiled, and earns its first-payment bonus, at its test
  // clock's time. Loyalty changes no customer row, so the row read here is still current below.
  const [customer] = await outer.tx.select().from(customers).where(eq(customers.id, customerId));
  const ctx = customer ? await onClockOf(outer, customer) : outer;
  if (trigger.loyalty) await recordLoyalty(ctx, trigger.loyalty, options);
  const fromCustomer = sequence !== null;
  const [existing] = await ctx.tx.select().from(profiles).where(eq(profiles.customerId, customerId));
  if (fromCustomer && existing && existing.sourceSequence >= sequence) return;
  if (!customer || customer.status === 'erased') return;
  const [loyal] = await ctx.tx.select().from(loyalty).where(eq(loyalty.customerId, customerId));

  const now = ctx.clock.now();
  const result = profileCustomer({
    kind: customer.kind,
    country: customer.country,
    email: customer.email,
    phone: customer.phone,
    metadata: customer.metadata,
    tenureDays: Math.floor((now - customer.createdAt) / DAY_MS),
    revenueMajor: revenueMajor(loyal?.revenue ?? {}),
    usageTokens: loyal?.usageTokens ?? 0,
  });
  const unchanged = existing && existing.segment === result.segment && existing.riskScore === result.riskScore;
  if (!fromCustomer && unchanged) return;
  const values = {
    segment: result.segment,
    riskScore: result.riskScore,
    segmentReasons: result.segmentReasons,
    riskReasons: result.riskReasons,
    sourceSequence: fromCustomer ? sequence : (existing?.sourceSequence ?? 0),
    computedAt: now,
  };
  await ctx.tx.insert(profiles).values({ customerId, ...values }).onConflictDoUpdate({ target: profiles.customerId, set: values });
  await emit(ctx, [
    {
      type: 'customer.profiled',
      subject: customerId,
      data: { customer_id: customerId, segment: result.segment, risk_score: result.riskScore, segment_reasons: result.segmentReasons, risk_reasons: result.riskReasons },
    },
  ]);

  if (customer.status !== 'active') return;
  let segment = customer.segment;
  while (compareSegments(segment, result.segment) < 0) {
    segment = (await promoteCustomer(ctx, customerId, `profiling computed ${result.segment}`)).segment;
  }
}
