import * as v from 'valibot';
import { customerKinds, customerSegments, customerStatuses, notificationOutcomes } from '../../db/schema/index.ts';
import { pageQuery } from '../../db/paging.ts';
import { email } from '../kernel/email.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { oneOf } from '../kernel/one-of.ts';

export const name = v.pipe(v.string(), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(200, 'must be at most 200 characters'));
export const country = v.pipe(v.string(), v.trim(), v.toUpperCase(), v.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE'));
const phone = v.pipe(v.string(), v.trim(), v.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +4930123456'));
const metadata = v.pipe(
  // v.record alone takes an array as an object with keys "0", "1", …: refuse it first.
  v.unknown(),
  v.check((value) => !Array.isArray(value), 'must be an object'),
  v.record(v.pipe(v.string(), singleLine, ...maxChars(40)), v.union([v.pipe(v.string(), singleLine, ...maxChars(500)), v.number(), v.boolean(), v.null()])),
  v.check((m) => Object.keys(m).length <= 50, 'must have at most 50 keys'),
  v.metadata({ maxProperties: 50 }),
);

/** A payment-method token: the sandbox's tok_ok, or a real processor's payment-method id. */
export const paymentMethod = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_\-]{3,100}$/, 'must be a payment-method token (3 to 100 letters, digits, _ or -)'));
/** Tax on the customer's invoices in basis points: 1900 is 19 %. */
const taxRateBps = v.pipe(v.number('must be whole basis points'), v.safeInteger('must be whole basis points'), v.minValue(0, 'must be at least 0'), v.maxValue(10_000, 'must be at most 10000 (100 %)'));

/** The most live subscriptions a customer may hold at once (an operator's setting). */
export const MAX_SUBSCRIPTIONS_CEILING = 100;
const maxSubscriptions = v.pipe(
  v.number('must be a whole number of subscriptions'),
  v.safeInteger('must be a whole number of subscriptions'),
  v.minValue(1, 'must be at least 1'),
  v.maxValue(MAX_SUBSCRIPTIONS_CEILING, `must be at most ${MAX_SUBSCRIPTIONS_CEILING}`),
);

export const customerId = v.pipe(v.string(), v.regex(/^cus_[0-9A-Z]{26}$/, 'must be a customer id (cus_…)'));
export const customerParams = v.object({ id: customerId });
/** A test clock's id (clk_…). */
export const testClockId = v.pipe(v.string(), v.regex(/^clk_[0-9A-Z]{26}$/, 'must be a test clock id (clk_…)'));

export const onboardCustomerInput = v.strictObject({
  name,
  email,
  kind: oneOf(customerKinds),
  country,
  phone: v.optional(phone),
  metadata: v.optional(metadata),
  tax_rate_bps: v.optional(taxRateBps),
  payment_method: v.optional(paymentMethod),
  /** Makes a sandbox customer living on this test clock for ever; a customer created without one is live and can never be moved onto a clock. */
  test_clock_id: v.optional(testClockId),
});
export type OnboardCustomerInput = v.InferOutput<typeof onboardCustomerInput>;

export const updateCustomerInput = v.pipe(
  v.strictObject({
    name: v.optional(name),
    email: v.optional(email),
    kind: v.optional(oneOf(customerKinds)),
    country: v.optional(country),
    phone: v.optional(v.nullable(phone)),
    metadata: v.optional(metadata),
    tax_rate_bps: v.optional(taxRateBps),
    payment_method: v.optional(v.nullable(paymentMethod)),
    /** Operators only: how many live subscriptions the customer may hold at once (default 1). */
    max_subscriptions: v.optional(maxSubscriptions),
  }),
  v.check((patch) => Object.keys(patch).length > 0, 'must change at least one field'),
  v.metadata({ minProperties: 1 }),
);
export type UpdateCustomerInput = v.InferOutput<typeof updateCustomerInput>;

export const promoteInput = v.optional(v.strictObject({ reason: v.optional(v.pipe(v.string(), singleLine, ...maxChars(500))) }), {});
export type PromoteInput = v.InferOutput<typeof promoteInput>;

export const listCustomersQuery = v.object({
  ...pageQuery,
  /** This customer alone: what a customer's key or user is confined to (the `list` tenant rule sets it). */
  customer_id: v.optional(customerId),
  status: v.optional(oneOf(customerStatuses)),
  segment: v.optional(oneOf(customerSegments)),
  kind: v.optional(oneOf(customerKinds)),
  email: v.optional(email),
  q: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), ...maxChars(100))),
});
export type ListCustomersQuery = v.InferOutput<typeof listCustomersQuery>;

export const customerResource = v.object({
  id: v.string(),
  object: v.literal('customer'),
  name: v.nullable(v.string()),
  email: v.nullable(v.string()),
  kind: v.picklist(customerKinds),
  country: v.nullable(v.string()),
  phone: v.nullable(v.string()),
  metadata: v.record(v.string(), v.unknown()),
  status: v.picklist(customerStatuses),
  segment: v.picklist(customerSegments),
  tax_rate_bps: v.number(),
  payment_method: v.nullable(v.string()),
  /** The one currency it is billed in, set by its first subscription; null until then. */
  currency: v.nullable(v.string()),
  /** How many live (not canceled) subscriptions it may hold at once; set by operators (PATCH), 1 unless raised. */
  max_subscriptions: v.number(),
  version: v.number(),
  created_at: v.string(),
  updated_at: v.string(),
  erased_at: v.nullable(v.string()),
  /** The test clock of a sandbox customer; null for a live customer. */
  test_clock_id: v.nullable(v.string()),
});
export type CustomerResource = v.InferOutput<typeof customerResource>;


/** One entry of a customer's notification history. */
export const notificationEntry = v.object({
  notification_id: v.string(),
  channel: v.string(),
  template: v.string(),
  status: v.picklist(notificationOutcomes),
  reason: v.nullable(v.string()),
  event_id: v.string(),
  at: v.string(),
});
export type NotificationEntry = v.InferOutput<typeof notificationEntry>;
