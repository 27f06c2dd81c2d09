import * as v from 'valibot';
import { billingReasons, invoiceStatuses } from '../../db/schema/index.ts';
import { currency, iso, money, signed, signedMoney, subscriptionSnapshot, whole } from '../events/shapes.ts';

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

/**
 * What billing does over time: moves subscriptions through their periods (subject: the
 * subscription), drafts and settles invoices (subject: the invoice), grants credit and
 * starts wallet top-ups (subject: the customer).
 */
export const billingEvents = {
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
  'invoice.created': v.object({ invoice: invoiceSnapshot }),
  'invoice.finalized': v.object({ invoice: invoiceSnapshot }),
  'invoice.paid': v.object({ invoice: invoiceSnapshot, payment_id: v.nullable(v.string()) }),
  'invoice.voided': v.object({ invoice: invoiceSnapshot }),
  'invoice.marked_uncollectible': v.object({ invoice: invoiceSnapshot }),
  /** Credit for the customer's next invoices (the first-payment bonus, a negative invoice, a voided invoice's credit). */
  'customer.credit_granted': v.object({ customer_id: v.string(), credit_id: v.string(), amount: money, reason: v.string(), description: v.string() }),
  /** The balance fell under the auto top-up threshold: a top-up invoice of `amount` was opened and is being collected. */
  'wallet.auto_top_up_started': v.object({ customer_id: v.string(), invoice_id: v.string(), amount: money, balance: signedMoney, threshold: money }),
} as const;
