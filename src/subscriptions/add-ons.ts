import { and, eq, isNull } from 'drizzle-orm';
import { subscriptionAddOns } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict, DomainError, notFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { charge, formatMoney, money, type Money } from '../kernel/money.ts';
import { saveVersioned } from '../kernel/versioned.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { assertChangeable, prorateMidPeriod, storeAdjustments } from './adjustments.ts';
import type { AttachAddOnInput } from './contract.ts';
import { loadSubscription } from './load.ts';
import { toAddOnResource, toSubscriptionSnapshot, type AddOnRow } from './present.ts';

const day = (ms: number) => toIso(ms).slice(0, 10);

/** What an add-on costs per period: quantity × unit amount; past one charge's ceiling a 422 naming `unit_amount`. */
export function addOnAmount(addOn: Pick<AddOnRow, 'unitAmount' | 'quantity' | 'currency'>): Money {
  try {
    return charge(money(addOn.unitAmount, addOn.currency), addOn.quantity, 1);
  } catch (error) {
    if (error instanceof DomainError) error.details.field = 'unit_amount';
    throw error;
  }
}

/** "Priority support (support): 2 × 15.00 USD", as lines and descriptions name an add-on. */
export const addOnLabel = (addOn: Pick<AddOnRow, 'name' | 'code' | 'unitAmount' | 'quantity' | 'currency'>) =>
  `${addOn.name} (${addOn.code}): ${addOn.quantity} × ${formatMoney(money(addOn.unitAmount, addOn.currency))}`;

const snapshot = (row: AddOnRow) => ({ id: row.id, code: row.code, name: row.name, unit_amount: row.unitAmount, quantity: row.quantity, currency: row.currency, removed_at: row.removedAt === null ? null : toIso(row.removedAt) });

/**
 * Attaches an add-on to a subscription: `quantity` × `unit_amount` minor units of its currency,
 * billed with every period's fee from the next invoice on. Mid-period the rest of the period is
 * prorated as a plan change is (a `proration_charge` for the next invoice; none while trialing).
 * One active add-on per code (409 naming `code`); a canceled subscription is a 409. Emits
 * `subscription.add_on_attached`; audited.
 */
export function attachAddOn(ctx: Ctx, subscriptionId: string, input: AttachAddOnInput) {
  return withTransaction(ctx, async (outer) => {
    const sub = await loadSubscription(outer.tx, subscriptionId);
    const ctx = await onCustomerClock(outer, sub.customerId);
    assertChangeable(sub, 'attach_add_on', 'attach an add-on');
    const [taken] = await ctx.tx
      .select({ id: subscriptionAddOns.id })
      .from(subscriptionAddOns)
      .where(and(eq(subscriptionAddOns.subscriptionId, sub.id), eq(subscriptionAddOns.code, input.code), isNull(subscriptionAddOns.removedAt)));
    if (taken) throw conflict(`subscription ${sub.id} already has the add-on ${input.code} (${taken.id}); remove it first`, { field: 'code', add_on_id: taken.id });

    const currency = sub.currency ?? (await loadPlanVersion(ctx.tx, sub.planId, sub.planVersion)).currency;
    const now = ctx.clock.now();
    const values = { subscriptionId: sub.id, code: input.code, name: input.name, unitAmount: input.unit_amount, quantity: input.quantity, currency };
    const amount = addOnAmount(values);
    const { lines, net } = prorateMidPeriod(sub, money(0, currency), amount, now);
    const [row] = await ctx.tx
      .insert(subscriptionAddOns)
      .values({ id: newId('sao', now), ...values, removedAt: null, createdAt: now, updatedAt: now, version: 1 })
      .returning();
    const stored = await storeAdjustments(ctx, sub.id, lines, (line) => `Add-on ${addOnLabel(row!)}, remaining time from ${day(line.from)} to ${day(line.to)}`);
    await emit(ctx, [{ type: 'subscription.add_on_attached', subject: sub.id, data: { subscription: toSubscriptionSnapshot(sub), add_on: snapshot(row!), proration: { lines: stored, net } } }]);
    await recordAudit(ctx, { action: 'subscription.attach_add_on', targetType: 'subscription', targetId: sub.id, data: { add_on_id: row!.id, code: row!.code, unit_amount: row!.unitAmount, quantity: row!.quantity, currency, net: net.amount } });
    return toAddOnResource(row!);
  });
}

/**
 * Removes an add-on (sets `removed_at`): later invoices no longer bill it, and the rest of the
 * current period is credited (`proration_credit` for the next invoice; none while trialing).
 * Removing one already removed answers it as it is and changes nothing. A canceled subscription
 * is a 409. Emits `subscription.add_on_removed`; audited.
 */
export function removeAddOn(ctx: Ctx, subscriptionId: string, addOnId: string) {
  return withTransaction(ctx, async (outer) => {
    const sub = await loadSubscription(outer.tx, subscriptionId);
    const [current] = await outer.tx.select().from(subscriptionAddOns).where(and(eq(subscriptionAddOns.id, addOnId), eq(subscriptionAddOns.subscriptionId, sub.id)));
    if (!current) throw notFound('Add-on', addOnId);
    if (current.removedAt !== null) return toAddOnResource(current);
    const ctx = await onCustomerClock(outer, sub.customerId);
    assertChangeable(sub, 'remove_add_on', 'remove an add-on');

    const now = ctx.clock.now();
    const { lines, net } = prorateMidPeriod(sub, addOnAmount(current), money(0, current.currency), now);
    const row = await saveVersioned(ctx, subscriptionAddOns, 'add-on', current, { removedAt: now });
    const stored = await storeAdjustments(ctx, sub.id, lines, (line) => `Add-on ${addOnLabel(row)}, unused time from ${day(line.from)} to ${day(line.to)}`);
    await emit(ctx, [{ type: 'subscription.add_on_removed', subject: sub.id, data: { subscription: toSubscriptionSnapshot(sub), add_on: snapshot(row), proration: { lines: stored, net } } }]);
    await recordAudit(ctx, { action: 'subscription.remove_add_on', targetType: 'subscription', targetId: sub.id, data: { add_on_id: row.id, code: row.code, net: net.amount, currency: row.currency } });
    return toAddOnResource(row);
  });
}
