import { eq } from 'drizzle-orm';
import { customers, loyalty, profiles } from '../../db/schema/index.ts';
import { addCredit } from '../billing/credits.ts';
import { formatMoney, money, multiplyRatio } from '../kernel/money.ts';
import { minorUnitDigits } from '../kernel/currency.ts';
import type { EventHandler } from '../bus/consumer.ts';
import { onClockOf } from '../customers/clock.ts';
import { compareSegments } from '../customers/lifecycle.ts';
import { promoteCustomer } from '../customers/transition.ts';
import type { EventType, KnownEvent } from '../events/catalog.ts';
import { emit } from '../events/outbox.ts';
import { isAcceptedUsage } from '../usage/events.ts';
import type { TxCtx } from '../kernel/context.ts';
import { profileCustomer } from './rules.ts';

const DAY_MS = 86_400_000;

export const profilingTypes = [
  'customer.onboarded',
  'customer.activated',
  'subscription.created',
  'subscription.activated',
  'subscription.ended',
  'invoice.paid',
  'payment.succeeded',
  'usage.recorded',
] as const satisfies readonly EventType[];

export interface ProfilingOptions {
  /** First-payment bonus in basis points of that payment (1000 = 10 %); 0 turns it off. */
  firstPaymentBonusBps: number;
}

type LoyaltyRow = typeof loyalty.$inferSelect;

/**
 * Folds a billing or usage event into the customer's loyalty row and returns the
 * customer it concerns. The first successful payment earns the first-payment
 * bonus: round_half_up(amount × bonus_bps / 10,000) of credit for the next invoice,
 * once per customer (`customer.credit_granted`).
 */
async function recordLoyalty(ctx: TxCtx, event: KnownEvent, options: ProfilingOptions): Promise<string | null> {
  let customerId: string;
  const now = ctx.clock.now();
  const apply: ((row: LoyaltyRow) => Promise<void> | void)[] = [];
  switch (event.type) {
    case 'invoice.paid': {
      const { invoice } = (event as KnownEvent<'invoice.paid'>).data;
      customerId = invoice.customer_id;
      apply.push((row) => {
        row.revenue = { ...row.revenue, [invoice.currency]: (row.revenue[invoice.currency] ?? 0) + invoice.amount_paid };
        row.paidInvoices += 1;
      });
      break;
    }
    case 'payment.succeeded': {
      const { payment } = (event as KnownEvent<'payment.succeeded'>).data;
      customerId = payment.customer_id;
      apply.push(async (row) => {
        if (row.firstPaymentAt !== null) return;
        row.firstPaymentAt = now;
        const bonus = multiplyRatio(money(payment.amount, payment.currency), options.firstPaymentBonusBps, 10_000);
        if (bonus.amount <= 0) return;
        await addCredit(ctx, {
          customerId,
          amount: bonus.amount,
          currency: bonus.currency,
          reason: 'first_payment_bonus',
          description: `First-payment bonus: ${options.firstPaymentBonusBps / 100} % of ${formatMoney(money(payment.amount, payment.currency))}`,
        });
      });
      break;
    }
    case 'usage.recorded': {
      const data = (event as KnownEvent<'usage.recorded'>).data;
      // Only records we accepted count; a report under the deprecated type arrives again as one of them.
      if (!isAcceptedUsage(data)) return null;
      customerId = data.customer_id;
      apply.push((row) => {
        row.usageTokens += data.tokens;
      });
      break;
    }
    case 'subscription.created':
    case 'subscription.activated':
    case 'subscription.ended': {
      const { subscription } = (event as KnownEvent<'subscription.created'>).data;
      customerId = subscription.customer_id;
      if (event.type === 'subscription.created') apply.push((row) => void (row.firstSubscribedAt ??= Date.parse(event.time)));
      break;
    }
    default:
      return null;
  }
  const [existing] = await ctx.tx.select().from(loyalty).where(eq(loyalty.customerId, customerId));
  const row: LoyaltyRow = existing ?? { customerId, revenue: {}, paidInvoices: 0, usageTokens: 0, firstPaymentAt: null, firstSubscribedAt: null, updatedAt: now };
  for (const step of apply) await step(row);
  row.updatedAt = now;
  await ctx.tx.insert(loyalty).values(row).onConflictDoUpdate({ target: loyalty.customerId, set: row });
  return customerId;
}

/** The customer an event of this group is about, read from the event alone. */
function customerOfEvent(event: KnownEvent): string {
  if (event.type.startsWith('customer.')) return event.subject;
  const data = event.data as { customer_id?: string; invoice?: { customer_id: string }; payment?: { customer_id: string }; subscription?: { customer_id: string } };
  return data.invoice?.customer_id ?? data.payment?.customer_id ?? data.subscription?.customer_id ?? data.customer_id ?? event.subject;
}

/** Whole major units of every currency's revenue, summed (no conversion; documented in the rules). */
const revenueMajor = (revenue: Record<string, number>) =>
  Object.entries(revenue).reduce((sum, [currency, minor]) => sum + Math.floor(minor / 10 ** minorUnitDigits(currency)), 0);

/**
 * The profiling consumer: recomputes a customer's profile from its current record
 * and its loyalty (revenue, usage, tenure), stores it, emits `customer.profiled`,
 * and promotes an active customer one step at a time up to the computed segment.
 * A customer event older than the one the stored profile reflects (by per-subject
 * sequence) is ignored. A billing or usage event updates loyalty and re-profiles,
 * emitting only when the segment or risk changed.
 */
export function createProfilingHandler(options: ProfilingOptions): EventHandler {
  return {
    group: 'profiling',
    types: profilingTypes,
    async handle(outer, event) {
      // Read first: a sandbox customer is profiled, and earns its first-payment bonus, at its test
      // clock's time. Loyalty changes no customer row, so the row read here is still current below.
      const [customer] = await outer.tx.select().from(customers).where(eq(customers.id, customerOfEvent(event)));
      const ctx = customer ? await onClockOf(outer, customer) : outer;
      const fromCustomer = event.type.startsWith('customer.');
      const customerId = fromCustomer ? event.subject : await recordLoyalty(ctx, event, options);
      if (!customerId) return;
      const [existing] = await ctx.tx.select().from(profiles).where(eq(profiles.customerId, customerId));
      if (fromCustomer && existing && existing.sourceSequence >= event.sequence) return;
      if (!customer || customer.id !== customerId || customer.status === 'erased') return;
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
        sourceSequence: fromCustomer ? event.sequence : (existing?.sourceSequence ?? 0),
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
    },
  };
}
