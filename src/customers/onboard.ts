import { preparedInsert } from '../../db/prepared.ts';
import { customers, users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import type { Ctx } from '../kernel/context.ts';
import { withTransaction } from '../kernel/context.ts';
import { frozenClock } from '../kernel/clock.ts';
import { newId } from '../kernel/ids.ts';
import { assertTestClockOpen } from './clock.ts';
import { assertEmailFree, rethrowDuplicateEmail } from './load.ts';
import { toCustomerResource, toCustomerSnapshot, toUserSnapshot, type CustomerRow } from './present.ts';
import type { InferSelectModel } from 'drizzle-orm';
import type { OnboardCustomerInput } from './contract.ts';

// Onboarding is the busiest write: its two inserts are prepared once per connection.
const insertCustomer = preparedInsert(customers);
const insertUser = preparedInsert(users);

/** The first owner when it is not the contact itself: a person who signed up, with the password they chose (hashed). */
export interface OnboardOwner {
  name: string;
  passwordHash: string;
}

/**
 * Onboards a customer with its contact as the first owner user (or, from a portal
 * sign-up, the person who signed up, able to sign in at once).
 * Emits `customer.onboarded` and `user.created`; returns the customer and its owner's id.
 */
export function onboardCustomer(ctx: Ctx, input: OnboardCustomerInput, owner?: OnboardOwner) {
  return onboardWithOwner(ctx, input, owner).then(({ customer }) => customer);
}

/** `onboardCustomer`, also answering the owner user's id. */
export function onboardWithOwner(ctx: Ctx, input: OnboardCustomerInput, ownerAccount?: OnboardOwner) {
  return withTransaction(ctx, async (outer) => {
    await assertEmailFree(outer.tx, input.email);
    // A sandbox customer is onboarded at its test clock's time: its tenure, ids and events start there.
    const ctx = input.test_clock_id === undefined ? outer : { ...outer, clock: frozenClock(await assertTestClockOpen(outer.tx, input.test_clock_id)) };

    const now = ctx.clock.now();
    const customer: CustomerRow = {
      id: newId('cus', now),
      name: input.name,
      email: input.email,
      kind: input.kind,
      country: input.country,
      phone: input.phone ?? null,
      metadata: input.metadata ?? {},
      taxRateBps: input.tax_rate_bps ?? 0,
      paymentMethod: input.payment_method ?? null,
      currency: null,
      maxSubscriptions: 1,
      status: 'onboarded',
      segment: 'bronze',
      version: 1,
      erasedAt: null,
      testClockId: input.test_clock_id ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await Promise.resolve(insertCustomer(ctx.tx, customer)).catch(rethrowDuplicateEmail(input.email));
    const owner: InferSelectModel<typeof users> = {
      id: newId('usr', now),
      customerId: customer.id,
      email: input.email,
      name: ownerAccount?.name ?? input.name,
      role: 'owner',
      status: 'active',
      passwordHash: ownerAccount?.passwordHash ?? null,
      tokenVersion: 0,
      emailVerifiedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await insertUser(ctx.tx, owner);

    await emit(ctx, [
      { type: 'customer.onboarded', subject: customer.id, data: { customer: toCustomerSnapshot(customer) } },
      { type: 'user.created', subject: customer.id, data: { user: toUserSnapshot(owner) } },
    ]);
    await recordAudit(ctx, { action: 'customer.onboard', targetType: 'customer', targetId: customer.id, ...(customer.testClockId ? { data: { test_clock_id: customer.testClockId } } : {}) });
    return { customer: toCustomerResource(customer), ownerId: owner.id };
  });
}
