import { eq } from 'drizzle-orm';
import { customers, profiles } from '../../db/schema/index.ts';
import type { EventHandler } from '../bus/consumer.ts';
import { compareSegments } from '../customers/lifecycle.ts';
import { promoteCustomer } from '../customers/transition.ts';
import { emit } from '../events/outbox.ts';
import { profileCustomer } from './rules.ts';

const DAY_MS = 86_400_000;

/**
 * The profiling consumer: recomputes a customer's profile from its current
 * record, stores it, emits `customer.profiled`, and promotes an active customer
 * one step at a time up to the computed segment. An event older than the one
 * the stored profile reflects (by per-subject sequence) is ignored.
 */
export const profilingHandler: EventHandler = {
  group: 'profiling',
  types: ['customer.onboarded', 'customer.activated'],
  async handle(ctx, event) {
    const customerId = event.subject;
    const [existing] = await ctx.tx.select({ sequence: profiles.sourceSequence }).from(profiles).where(eq(profiles.customerId, customerId));
    if (existing && existing.sequence >= event.sequence) return;
    const [customer] = await ctx.tx.select().from(customers).where(eq(customers.id, customerId));
    if (!customer || customer.status === 'erased') return;

    const now = ctx.clock.now();
    const result = profileCustomer({
      kind: customer.kind,
      country: customer.country,
      email: customer.email,
      phone: customer.phone,
      metadata: customer.metadata,
      tenureDays: Math.floor((now - customer.createdAt) / DAY_MS),
    });
    const values = {
      segment: result.segment,
      riskScore: result.riskScore,
      segmentReasons: result.segmentReasons,
      riskReasons: result.riskReasons,
      sourceSequence: event.sequence,
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
