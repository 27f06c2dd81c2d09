import { customers, users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import type { Ctx } from '../kernel/context.ts';
import { withTransaction } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import { assertEmailFree, rethrowDuplicateEmail } from './load.ts';
import { toCustomerResource, toCustomerSnapshot, toUserSnapshot } from './present.ts';
import type { OnboardCustomerInput } from './contract.ts';

/**
 * Onboards a customer with its contact as the first owner user.
 * Emits `customer.onboarded` and `user.created`.
 */
export function onboardCustomer(ctx: Ctx, input: OnboardCustomerInput) {
  return withTransaction(ctx, async (ctx) => {
    await assertEmailFree(ctx.tx, input.email);

    const now = ctx.clock.now();
    const [customer] = await ctx.tx
      .insert(customers)
      .values({
        id: newId('cus', now),
        name: input.name,
        email: input.email,
        kind: input.kind,
        country: input.country,
        phone: input.phone ?? null,
        metadata: input.metadata ?? {},
        taxRateBps: input.tax_rate_bps ?? 0,
        paymentMethod: input.payment_method ?? null,
        status: 'onboarded',
        segment: 'bronze',
        version: 1,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .catch(rethrowDuplicateEmail(input.email));
    const [owner] = await ctx.tx
      .insert(users)
      .values({
        id: newId('usr', now),
        customerId: customer!.id,
        email: input.email,
        name: input.name,
        role: 'owner',
        status: 'active',
        createdAt: now,
        updatedAt: now,
      })
      .returning();

    await emit(ctx, [
      { type: 'customer.onboarded', subject: customer!.id, data: { customer: toCustomerSnapshot(customer!) } },
      { type: 'user.created', subject: customer!.id, data: { user: toUserSnapshot(owner!) } },
    ]);
    await recordAudit(ctx, { action: 'customer.onboard', targetType: 'customer', targetId: customer!.id });
    return toCustomerResource(customer!);
  });
}
