import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';
import { customers } from './customers.ts';
import { planStatuses } from './plans.ts';
import { subscriptions } from './subscriptions.ts';

/** The same lifecycle as a plan's: active, then archived for good. */
export const couponStatuses = planStatuses;
/** once: the first invoice after redemption; repeating: `duration_periods` billing periods; forever: every invoice. */
export const couponDurations = ['once', 'repeating', 'forever'] as const;
/** active: applies to invoices; ended: ran out its periods; removed: taken off by a caller. */
export const discountStatuses = ['active', 'ended', 'removed'] as const;

/**
 * Coupons, managed by operators. Exactly one of `percent_off_bps` (1–10,000) or
 * `amount_off` (minor units of `currency`) is set. `times_redeemed` is counted in the
 * redeeming statement itself, so the limit holds under parallel redemptions.
 */
export const coupons = sqliteTable(
  'coupons',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    percentOffBps: integer('percent_off_bps'),
    amountOff: integer('amount_off'),
    currency: text('currency'),
    duration: text('duration', { enum: couponDurations }).notNull(),
    /** Billing periods a `repeating` coupon discounts; null otherwise. */
    durationPeriods: integer('duration_periods'),
    /** Plan ids the coupon may be redeemed on; null: every plan. */
    appliesToPlans: text('applies_to_plans', { mode: 'json' }).$type<string[]>(),
    maxRedemptions: integer('max_redemptions'),
    timesRedeemed: integer('times_redeemed').notNull().default(0),
    /** No redemption at or after this time; null: no expiry. */
    redeemBy: timestamp('redeem_by'),
    status: text('status', { enum: couponStatuses }).notNull(),
    archivedAt: timestamp('archived_at'),
    ...timestamps,
  },
  (t) => [uniqueIndex('coupons_code').on(t.code), index('coupons_status').on(t.status, t.id)],
);

/**
 * A coupon redeemed on a subscription. `periods_applied` counts the billing periods
 * (distinct fee periods) discounted so far; `last_period_start` is the last one, so
 * a second invoice for the same period does not count it twice.
 */
export const subscriptionDiscounts = sqliteTable(
  'subscription_discounts',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    customerId: text('customer_id').notNull().references(() => customers.id),
    couponId: text('coupon_id').notNull().references(() => coupons.id),
    status: text('status', { enum: discountStatuses }).notNull(),
    periodsApplied: integer('periods_applied').notNull().default(0),
    lastPeriodStart: timestamp('last_period_start'),
    endedAt: timestamp('ended_at'),
    removedAt: timestamp('removed_at'),
    ...timestamps,
  },
  (t) => [
    // At most one active discount per subscription, enforced by the database.
    uniqueIndex('subscription_discounts_active').on(t.subscriptionId).where(sql`status = 'active'`),
    index('subscription_discounts_subscription').on(t.subscriptionId, t.id),
    index('subscription_discounts_coupon').on(t.couponId),
  ],
);
