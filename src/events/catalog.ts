import * as v from 'valibot';
import {
  adjustmentKinds,
  billingReasons,
  couponDurations,
  couponStatuses,
  discountStatuses,
  customerKinds,
  customerSegments,
  customerStatuses,
  entitlementTypes,
  invoiceStatuses,
  notificationChannels,
  paymentStatuses,
  paymentTriggers,
  planIntervals,
  planStatuses,
  quotaPolicies,
  subscriptionStatuses,
  thresholdMetrics,
  userRoles,
  userStatuses,
  testClockStatuses,
  walletCreditKinds,
  webhookDisabledReasons,
} from '../../db/schema/index.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { realTimestamp } from '../kernel/iso-time.ts';
import type { CloudEvent } from './envelope.ts';
import { auditEvents } from '../audit/events.ts';

/**
 * Every event type the platform emits, with the schema of its `data`.
 * Producers validate before writing to the outbox; consumers validate before
 * handling and dead-letter what does not match.
 */
const personal = v.nullable(v.string());

const customerSnapshot = v.object({
  id: v.string(),
  name: personal,
  email: personal,
  phone: v.optional(personal),
  kind: v.picklist(customerKinds),
  country: v.nullable(v.string()),
  status: v.picklist(customerStatuses),
  segment: v.picklist(customerSegments),
  /** The currency it is billed in, set by its first subscription; null before. */
  currency: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)))),
  /** Only on a sandbox customer's events: the test clock it lives on (docs/test-clocks.md). */
  test_clock_id: v.optional(v.string()),
});

const userSnapshot = v.object({
  id: v.string(),
  customer_id: v.string(),
  email: personal,
  name: personal,
  role: v.picklist(userRoles),
  status: v.picklist(userStatuses),
});

/** A whole number ≥ 0: minor units of money, days, tokens. Money is never a float. */
const whole = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const money = v.object({ amount: whole, currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)) });

/** A typed entitlement (src/plans/entitlements.ts). */
const entitlementSnapshot = v.object({ feature: v.string(), type: v.picklist(entitlementTypes), limit: v.optional(whole), value: v.optional(v.union([v.string(), v.number(), v.boolean()])) });

/** A plan at one version: its identity, status and that version's terms. */
const planSnapshot = v.object({
  id: v.string(),
  code: v.string(),
  status: v.picklist(planStatuses),
  version: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  name: v.string(),
  price: money,
  interval: v.picklist(planIntervals),
  trial_days: whole,
  included_tokens: whole,
  overage_price_per_1k: money,
  quota_policy: v.picklist(quotaPolicies),
  features: v.array(v.string()),
  /** Every currency the version is priced in, the default first (absent from events older than multi-currency). */
  prices: v.optional(v.array(v.object({ currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)), price_amount: whole, overage_price_per_1k: whole }))),
  /** Typed entitlements; absent on events written before they existed. */
  entitlements: v.optional(v.array(entitlementSnapshot)),
});

/** Signed minor units: proration credits are negative. */
const signedMoney = v.object({ amount: v.pipe(v.number(), v.safeInteger()), currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)) });
const iso = realTimestamp();

/** A subscription as carried inside events; times are ISO 8601. */
const subscriptionSnapshot = v.object({
  id: v.string(),
  customer_id: v.string(),
  plan_id: v.string(),
  plan_version: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  /** The currency it bills in, its customer's (absent from events older than multi-currency: the plan version's default). */
  currency: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/))),
  status: v.picklist(subscriptionStatuses),
  anchor: iso,
  current_period_start: iso,
  current_period_end: iso,
  trial_end: v.nullable(iso),
  cancel_at_period_end: v.boolean(),
  canceled_at: v.nullable(iso),
});

const prorationLine = v.object({
  id: v.string(),
  kind: v.picklist(adjustmentKinds),
  amount: signedMoney,
  from: iso,
  to: iso,
});

const planRef = v.object({ plan_id: v.string(), plan_version: v.pipe(v.number(), v.safeInteger(), v.minValue(1)) });

const signed = v.pipe(v.number(), v.safeInteger());
const currency = v.pipe(v.string(), v.regex(/^[A-Z]{3}$/));

/** A usage threshold of a subscription: `value` in tokens or minor units of the subscription's currency. */
const usageThresholdSnapshot = v.object({
  id: v.string(),
  subscription_id: v.string(),
  metric: v.picklist(thresholdMetrics),
  value: whole,
  invoice_early: v.boolean(),
});

/** An invoice inside events: amounts are signed integer minor units of `currency`. */
const invoiceSnapshot = v.object({
  id: v.string(),
  number: v.nullable(v.string()),
  customer_id: v.string(),
  subscription_id: v.nullable(v.string()),
  status: v.picklist(invoiceStatuses),
  billing_reason: v.picklist(billingReasons),
  currency,
  period_start: iso,
  period_end: iso,
  subtotal: signed,
  tax: signed,
  total: signed,
  credit_applied: whole,
  /** Absent on events written before wallets existed: read as 0. */
  wallet_applied: v.optional(whole, 0),
  amount_due: whole,
  amount_paid: whole,
  attempt_count: whole,
  next_attempt_at: v.nullable(iso),
});

/** A payment attempt inside events; the payment method token is never carried. */
const paymentSnapshot = v.object({
  id: v.string(),
  invoice_id: v.string(),
  customer_id: v.string(),
  amount: whole,
  currency,
  status: v.picklist(paymentStatuses),
  trigger: v.picklist(paymentTriggers),
  attempt: whole,
  failure_code: v.nullable(v.string()),
});

const notificationOutcome = {
  notification_id: v.string(),
  customer_id: v.string(),
  channel: v.picklist(notificationChannels),
  template: v.string(),
  trigger_event_id: v.string(),
  attempts: v.number(),
};

const apiKeySnapshot = v.object({
  id: v.string(),
  customer_id: v.nullable(v.string()),
  name: v.string(),
  scopes: v.array(v.string()),
  expires_at: v.nullable(iso),
});

/** A test clock inside events. */
const testClockSnapshot = v.object({ id: v.string(), name: v.string(), frozen_time: iso, status: v.picklist(testClockStatuses) });

/** A webhook endpoint inside events; its secret is never carried. */
const webhookEndpointSnapshot = v.object({
  id: v.string(),
  customer_id: v.string(),
  url: v.string(),
  event_types: v.array(v.string()),
  enabled: v.boolean(),
  disabled_reason: v.nullable(v.picklist(webhookDisabledReasons)),
});

/** A coupon inside events: a percentage in basis points or a fixed amount, and its limits. */
const couponSnapshot = v.object({
  id: v.string(),
  code: v.string(),
  name: v.string(),
  percent_off_bps: v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(10_000))),
  amount_off: v.nullable(money),
  duration: v.picklist(couponDurations),
  duration_periods: v.nullable(whole),
  applies_to_plans: v.nullable(v.array(v.string())),
  max_redemptions: v.nullable(whole),
  times_redeemed: whole,
  redeem_by: v.nullable(iso),
  status: v.picklist(couponStatuses),
});

/** A coupon redeemed on a subscription; `periods_remaining` is null for `forever`. */
const discountSnapshot = v.object({
  id: v.string(),
  subscription_id: v.string(),
  customer_id: v.string(),
  coupon_id: v.string(),
  coupon_code: v.string(),
  status: v.picklist(discountStatuses),
  periods_applied: whole,
  periods_remaining: v.nullable(whole),
});

export const catalog = {
  ...auditEvents,
  'customer.onboarded': v.object({ customer: customerSnapshot }),
  'customer.activated': v.object({ customer: customerSnapshot, previous_status: v.string() }),
  'customer.deactivated': v.object({ customer: customerSnapshot, previous_status: v.string() }),
  'customer.promoted': v.object({ customer: customerSnapshot, from: v.string(), to: v.string(), reason: v.string() }),
  'customer.updated': v.object({ customer: customerSnapshot, changed: v.array(v.string()) }),
  'customer.erased': v.object({ customer_id: v.string() }),
  'customer.profiled': v.object({
    customer_id: v.string(),
    segment: v.picklist(customerSegments),
    risk_score: v.number(),
    segment_reasons: v.array(v.string()),
    risk_reasons: v.array(v.string()),
  }),
  'user.invited': v.object({ user: userSnapshot }),
  'user.created': v.object({ user: userSnapshot }),
  'user.role_changed': v.object({ user: userSnapshot, from: v.string(), to: v.string() }),
  'user.removed': v.object({ user: userSnapshot }),
  /** An invited user accepted, or a deactivated one came back. */
  'user.activated': v.object({ user: userSnapshot, previous_status: v.picklist(userStatuses) }),
  'user.deactivated': v.object({ user: userSnapshot, previous_status: v.picklist(userStatuses) }),
  /**
   * Someone signed up in the portal; the portal-signups worker onboards the customer from it.
   * The password (hashed) stays in the sign-up row: it never travels in an event.
   */
  'user.signed_up': v.object({
    signup_id: v.string(),
    company: v.object({ name: personal, kind: v.picklist(customerKinds), country: v.nullable(v.string()) }),
    user: v.object({ name: personal, email: personal }),
  }),
  /** A reset email was asked for a user who can sign in; the token is only in the email. */
  'user.password_reset_requested': v.object({ user_id: v.string(), customer_id: v.string() }),
  /** A portal user's password was set: by a reset (earlier tokens end) or by accepting an invitation. */
  'user.password_changed': v.object({ user_id: v.string(), customer_id: v.string(), reason: v.picklist(['reset', 'invitation']) }),
  'user.email_verified': v.object({ user_id: v.string(), customer_id: v.string() }),
  'plan.created': v.object({ plan: planSnapshot }),
  'plan.updated': v.object({ plan: planSnapshot, previous_version: v.number(), changed: v.array(v.string()) }),
  'plan.archived': v.object({ plan: planSnapshot }),
  'subscription.created': v.object({ subscription: subscriptionSnapshot }),
  'subscription.trial_started': v.object({ subscription: subscriptionSnapshot, trial_end: iso }),
  'subscription.plan_changed': v.object({ subscription: subscriptionSnapshot, from: planRef, to: planRef, proration: v.object({ lines: v.array(prorationLine), net: signedMoney }) }),
  /** Emitted when a cancellation is made: immediate, or scheduled for `effective_at` (the period end) when `at_period_end`. */
  'subscription.canceled': v.object({
    subscription: subscriptionSnapshot,
    previous_status: v.string(),
    at_period_end: v.boolean(),
    effective_at: iso,
    /** Absent on events written before dunning existed: read as `requested`. */
    reason: v.optional(v.picklist(['requested', 'dunning_exhausted', 'incomplete_expired', 'customer_erased']), 'requested'),
  }),
  /** The trial is over; `invoice_id` bills the first paid period. The status stays `trialing` until it is paid. */
  'subscription.trial_ended': v.object({ subscription: subscriptionSnapshot, invoice_id: v.nullable(v.string()) }),
  /** A new period began at the old one's end; `invoice_id` bills it (null when nothing is due). */
  'subscription.renewed': v.object({ subscription: subscriptionSnapshot, period_start: iso, period_end: iso, invoice_id: v.nullable(v.string()) }),
  /**
   * The billing pass could not move the subscription over a boundary (its invoice could not be
   * drafted, e.g. `amount_out_of_range`); emitted on the first failure, not on each retry.
   * The other subscriptions bill meanwhile; it is retried at `retry_at`.
   */
  'subscription.billing_failed': v.object({ subscription: subscriptionSnapshot, error: v.object({ code: v.string(), message: v.string() }), retry_at: iso }),
  /** A payment made the subscription active: first payment, trial conversion or recovery from past_due. */
  'subscription.activated': v.object({ subscription: subscriptionSnapshot, previous_status: v.string(), invoice_id: v.string() }),
  'subscription.past_due': v.object({ subscription: subscriptionSnapshot, invoice_id: v.string() }),
  /**
   * The subscription is now `canceled`: immediately on request, at its period end, when dunning gave up, or
   * (`incomplete_expired`) when an incomplete one's first invoice was never paid: dunning gave up on it, or it was voided.
   */
  'subscription.ended': v.object({ subscription: subscriptionSnapshot, reason: v.picklist(['requested', 'period_end', 'dunning_exhausted', 'incomplete_expired', 'customer_erased']) }),
  'coupon.created': v.object({ coupon: couponSnapshot }),
  /** No new redemptions; discounts already applied keep running. */
  'coupon.archived': v.object({ coupon: couponSnapshot }),
  /** A coupon was redeemed on a subscription; subject: the subscription. */
  'discount.applied': v.object({ discount: discountSnapshot, coupon: couponSnapshot }),
  /** Taken off by a caller before it ran out; subject: the subscription. */
  'discount.removed': v.object({ discount: discountSnapshot }),
  /** A `once` or `repeating` discount discounted its last period; `invoice_id` is that invoice. */
  'discount.ended': v.object({ discount: discountSnapshot, invoice_id: v.string() }),
  'invoice.created': v.object({ invoice: invoiceSnapshot }),
  'invoice.finalized': v.object({ invoice: invoiceSnapshot }),
  'invoice.paid': v.object({ invoice: invoiceSnapshot, payment_id: v.nullable(v.string()) }),
  'invoice.voided': v.object({ invoice: invoiceSnapshot }),
  'invoice.marked_uncollectible': v.object({ invoice: invoiceSnapshot }),
  /** An invoice's document (its PDF) was stored, or stored again with the VOID stamp; served at GET /v1/invoices/:id/pdf. */
  'invoice.document_generated': v.object({
    invoice_id: v.string(),
    number: v.string(),
    customer_id: v.string(),
    content_type: v.string(),
    sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
    size: whole,
    voided: v.boolean(),
  }),
  'payment.initiated': v.object({ payment: paymentSnapshot }),
  /** The provider took the money; `invoice.paid` follows, or `payment.refunded` if it cannot. */
  'payment.succeeded': v.object({ payment: paymentSnapshot }),
  /** Declined or timed out; `next_attempt_at` is the next automatic retry, null when there is none. */
  'payment.failed': v.object({ payment: paymentSnapshot, failure_message: v.string(), next_attempt_at: v.nullable(iso), final: v.boolean() }),
  /** Money taken for nothing was given back (the saga's compensation). */
  'payment.refunded': v.object({ payment: paymentSnapshot, reason: v.string() }),
  /** Credit for the customer's next invoices (the first-payment bonus, a negative invoice, a voided invoice's credit). */
  'customer.credit_granted': v.object({ customer_id: v.string(), credit_id: v.string(), amount: money, reason: v.string(), description: v.string() }),
  /** Money entered a customer's prepaid wallet: a paid top-up, a granted credit, or a voided invoice's draw given back. */
  'wallet.credited': v.object({
    customer_id: v.string(),
    entry_id: v.string(),
    kind: v.picklist(walletCreditKinds),
    amount: money,
    balance: signedMoney,
    expires_at: v.nullable(iso),
    invoice_id: v.nullable(v.string()),
    description: v.string(),
  }),
  /** An invoice drew from the wallet at finalization (`amount` is what it took). */
  'wallet.debited': v.object({ customer_id: v.string(), entry_id: v.string(), amount: money, balance: signedMoney, invoice_id: v.string() }),
  /** What was left of a grant at its `expires_at` left the wallet. */
  'wallet.credit_expired': v.object({ customer_id: v.string(), entry_id: v.string(), grant_id: v.string(), amount: money, balance: signedMoney }),
  /** The balance fell under the auto top-up threshold: a top-up invoice of `amount` was opened and is being collected. */
  'wallet.auto_top_up_started': v.object({ customer_id: v.string(), invoice_id: v.string(), amount: money, balance: signedMoney, threshold: money }),
  /** An operator or the customer changed a wallet's auto top-up settings. */
  'wallet.auto_top_up_configured': v.object({ customer_id: v.string(), currency, enabled: v.boolean(), threshold: money, amount: money }),
  /**
   * A usage record. Other services publish it with the record alone (`id`, `customer_id`,
   * `model`, `tokens`, `occurred_at`, optionally `subscription_id`); the billing consumer
   * records those. Ours are the records we accepted, with the period and overage added.
   */
  'usage.recorded': v.object({
    id: v.pipe(v.string(), v.minLength(1), ...maxChars(200)),
    subscription_id: v.optional(v.string()),
    customer_id: v.string(),
    model: v.pipe(v.string(), singleLine, v.minLength(1), ...maxChars(100)),
    tokens: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
    occurred_at: iso,
    period_start: v.optional(iso),
    overage_tokens: v.optional(whole),
    recorded_at: v.optional(iso),
  }),
  /** A subscription period crossed its included tokens; once per period. */
  'usage.quota_exceeded': v.object({
    subscription_id: v.string(),
    customer_id: v.string(),
    period_start: iso,
    included_tokens: whole,
    quota_policy: v.picklist(quotaPolicies),
  }),
  /** A usage threshold of a subscription was set or deleted; subject: the subscription. */
  'usage_threshold.created': v.object({ threshold: usageThresholdSnapshot }),
  'usage_threshold.deleted': v.object({ threshold: usageThresholdSnapshot }),
  /**
   * A period's usage reached a threshold, once per threshold and period, in the transaction of the
   * record that reached it; `value_reached` is tokens or minor units (fee + overage so far) as `threshold.metric` says.
   */
  'usage.threshold_reached': v.object({
    threshold: usageThresholdSnapshot,
    subscription_id: v.string(),
    customer_id: v.string(),
    value_reached: whole,
    /** The subscription's currency, for an `amount` threshold's minor units. */
    currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)),
    period_start: iso,
    period_end: iso,
  }),
  /** The subscription's minimum spend per period was set (`amount` 0: cleared); subject: the subscription. */
  'subscription.minimum_spend_set': v.object({ subscription_id: v.string(), minimum_spend: money }),
  /** An operator (or a key with `entitlements:write`) replaced a plan entitlement for one subscription; subject: the subscription. */
  'subscription.entitlement_overridden': v.object({
    subscription_id: v.string(),
    customer_id: v.string(),
    entitlement: entitlementSnapshot,
    /** The override it replaced, null when there was none. */
    previous: v.nullable(entitlementSnapshot),
  }),
  /** An override was removed: the plan version's entitlement (if any) applies again; subject: the subscription. */
  'subscription.entitlement_override_removed': v.object({ subscription_id: v.string(), customer_id: v.string(), removed: entitlementSnapshot }),
  /**
   * A check with `consume` counted units of a metered feature other than `ai_tokens`
   * (those are `usage.recorded`); subject: the subscription.
   */
  'feature.consumed': v.object({
    subscription_id: v.string(),
    customer_id: v.string(),
    feature: v.string(),
    record_id: v.string(),
    amount: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
    /** The period's use after this consume, and its limit. */
    used: whole,
    limit: whole,
    period_start: iso,
  }),
  /** A key for programs was created (never its secret) or revoked; subject: the key. */
  'api_key.created': v.object({ api_key: apiKeySnapshot }),
  'api_key.revoked': v.object({ api_key: apiKeySnapshot }),
  'notification.sent': v.object({ ...notificationOutcome }),
  'notification.failed': v.object({ ...notificationOutcome, reason: v.string() }),
  'webhook_endpoint.created': v.object({ endpoint: webhookEndpointSnapshot }),
  'webhook_endpoint.updated': v.object({ endpoint: webhookEndpointSnapshot, changed: v.array(v.string()) }),
  'webhook_endpoint.enabled': v.object({ endpoint: webhookEndpointSnapshot }),
  /** Turned off on request, or by the sender after `consecutive_failures` failed attempts in a row. */
  'webhook_endpoint.disabled': v.object({ endpoint: webhookEndpointSnapshot, reason: v.picklist(webhookDisabledReasons), consecutive_failures: whole }),
  /** A new secret signs; the previous one also signs until `previous_secret_expires_at`. */
  'webhook_endpoint.secret_rotated': v.object({ endpoint: webhookEndpointSnapshot, previous_secret_expires_at: iso }),
  'webhook_endpoint.deleted': v.object({ endpoint: webhookEndpointSnapshot }),
  /** A new version of a model's cost per 1,000 tokens (operators' price list; src/profitability). */
  'model_price.created': v.object({
    model_price: v.object({
      id: v.string(),
      object: v.literal('model_price'),
      model: v.string(),
      currency,
      version: whole,
      cost_per_1k_micros: whole,
      effective_from: iso,
      created_at: iso,
    }),
  }),
  /**
   * After a renewal, another plan would have cost the customer less over its last ended periods
   * (src/suggestions); once per subscription and renewal. Amounts are minor units of `currency`.
   */
  'customer.plan_suggested': v.object({
    customer_id: v.string(),
    subscription_id: v.string(),
    period_start: iso,
    current_plan: v.object({ id: v.string(), code: v.string(), name: v.string(), version: whole }),
    suggested_plan: v.object({ id: v.string(), code: v.string(), name: v.string(), version: whole }),
    currency,
    periods: whole,
    current_cost: whole,
    suggested_cost: whole,
    saving: whole,
    saving_bps: whole,
  }),
  /** A test clock (simulated time for sandbox customers) was created; subject: the clock. */
  'test_clock.created': v.object({ test_clock: testClockSnapshot }),
  /** An advance finished: the clock is at `test_clock.frozen_time`, its customers' billing ran `steps` passes on the way. */
  'test_clock.advanced': v.object({ test_clock: testClockSnapshot, previous_frozen_time: iso, steps: whole }),
  /** A test clock was deleted; its customers stay archived on it. */
  'test_clock.deleted': v.object({ test_clock: testClockSnapshot, archived_customers: whole }),
} as const;

export type EventType = keyof typeof catalog;
export type EventData<T extends EventType> = v.InferOutput<(typeof catalog)[T]>;

/** An event as a command asks for it; the outbox adds id, time, source and sequence. */
export type NewEvent = { [T in EventType]: { type: T; subject: string; data: EventData<T> } }[EventType];

/** Event types, for filters and documentation. */
export const eventTypes = Object.keys(catalog) as EventType[];

export const isEventType = (type: string): type is EventType => Object.hasOwn(catalog, type);

/** The CloudEvents envelope schema; shared by every adapter and consumer. */
export const envelopeSchema = v.object({
  specversion: v.literal('1.0'),
  id: v.pipe(v.string(), v.minLength(1)),
  source: v.string(),
  type: v.string(),
  subject: v.string(),
  time: v.string(),
  datacontenttype: v.optional(v.string()),
  /** Per-subject order from our outbox; other producers may leave it out (read as 0). */
  sequence: v.optional(v.number(), 0),
  /** The request that caused the event; other producers may leave it out. */
  requestid: v.optional(v.string()),
  /** W3C trace context (CloudEvents distributed tracing); carried, never required. */
  traceparent: v.optional(v.string()),
  data: v.record(v.string(), v.unknown()),
});

/** A consumer's view of a validated event of a known type. */
export type KnownEvent<T extends EventType = EventType> = Omit<CloudEvent, 'type' | 'data'> & {
  type: T;
  data: EventData<T>;
};

/**
 * Validates an incoming envelope and its data against the catalog.
 * Returns the typed event, or a reason suitable for a dead-letter record.
 */
export function parseEvent(raw: unknown): { ok: true; event: KnownEvent } | { ok: false; reason: string } {
  const envelope = v.safeParse(envelopeSchema, raw);
  if (!envelope.success) return { ok: false, reason: `invalid envelope: ${describeIssues(envelope.issues)}` };
  const { type } = envelope.output;
  if (!isEventType(type)) return { ok: false, reason: `unknown event type ${type}` };
  const data = v.safeParse(catalog[type], envelope.output.data);
  if (!data.success) return { ok: false, reason: `invalid ${type} data: ${describeIssues(data.issues)}` };
  return { ok: true, event: { ...envelope.output, datacontenttype: 'application/json', specversion: '1.0', type, data: data.output } as KnownEvent };
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`).join('; ');
}
