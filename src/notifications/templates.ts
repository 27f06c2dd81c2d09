import { formatMoney } from '../kernel/money.ts';
import type { EventData } from '../events/catalog.ts';
import type { userTokenPurposes } from '../../db/schema/index.ts';

const CUSTOMER_EVENTS = ['customer.onboarded', 'customer.activated', 'customer.deactivated', 'customer.promoted'] as const;
const BILLING_EVENTS = ['invoice.finalized', 'payment.succeeded', 'payment.failed', 'payment.refunded', 'subscription.canceled', 'usage.quota_exceeded', 'usage.threshold_reached', 'customer.credit_granted'] as const;
/** Events told to the customer's owner (a person who can act on them) rather than to the company's address. */
const OWNER_EVENTS = ['webhook_endpoint.disabled', 'customer.plan_suggested'] as const;
export type CustomerEvent = (typeof CUSTOMER_EVENTS)[number];
export type BillingEvent = (typeof BILLING_EVENTS)[number];
export type OwnerEvent = (typeof OWNER_EVENTS)[number];
export type NotifyingEvent = CustomerEvent | BillingEvent | OwnerEvent;
export const customerEvents: CustomerEvent[] = [...CUSTOMER_EVENTS];
export const billingEvents: BillingEvent[] = [...BILLING_EVENTS];
export const ownerEvents: OwnerEvent[] = [...OWNER_EVENTS];

/** Whose owner an owner event is told to. */
export function ownerCustomerOf(type: OwnerEvent, data: EventData<OwnerEvent>): string {
  switch (type) {
    case 'webhook_endpoint.disabled':
      return (data as EventData<'webhook_endpoint.disabled'>).endpoint.customer_id;
    case 'customer.plan_suggested':
      return (data as EventData<'customer.plan_suggested'>).customer_id;
  }
}
export const notifyingEvents: NotifyingEvent[] = [...customerEvents, ...billingEvents, ...ownerEvents];

/**
 * Renders the message for an event told to the customer's owner; null when there is
 * nothing to tell (an endpoint the owner turned off themselves).
 */
export function renderForOwner(type: OwnerEvent, data: EventData<OwnerEvent>, c: Customer): Rendered | null {
  switch (type) {
    case 'customer.plan_suggested': {
      const d = data as EventData<'customer.plan_suggested'>;
      const m = (minor: number) => amount(minor, d.currency);
      return {
        template: 'plan_suggested',
        subject: `${d.suggested_plan.name} would have saved you ${m(d.saving)}`,
        body: `${greet(c)}\n\nover your last ${d.periods} billing period${d.periods === 1 ? '' : 's'}, your usage on ${d.current_plan.name} cost ${m(d.current_cost)}. On ${d.suggested_plan.name} (${d.suggested_plan.code}) the same usage would have cost ${m(d.suggested_cost)}: a saving of ${m(d.saving)} (${(d.saving_bps / 100).toFixed(2)} %). You can change plan at any time; the rest of the current period is prorated.`,
        sms: null,
      };
    }
    case 'webhook_endpoint.disabled': {
      const d = data as EventData<'webhook_endpoint.disabled'>;
      if (d.reason !== 'failing') return null;
      const { endpoint, consecutive_failures } = d;
      return {
        template: 'webhook_disabled',
        subject: 'A webhook endpoint was disabled',
        body: `${greet(c)}\n\nwe turned off your webhook endpoint ${endpoint.id} (${endpoint.url}) after ${consecutive_failures} failed deliveries in a row. Nothing more is sent to it until you enable it again; each delivery it missed is in its log and can be resent.`,
        sms: null,
      };
    }
  }
}

/** Whose notification a billing event is. */
export function customerOf(type: BillingEvent, data: EventData<BillingEvent>): string {
  switch (type) {
    case 'invoice.finalized':
      return (data as EventData<'invoice.finalized'>).invoice.customer_id;
    case 'payment.succeeded':
    case 'payment.failed':
    case 'payment.refunded':
      return (data as EventData<'payment.succeeded'>).payment.customer_id;
    case 'subscription.canceled':
      return (data as EventData<'subscription.canceled'>).subscription.customer_id;
    case 'usage.quota_exceeded':
    case 'usage.threshold_reached':
    case 'customer.credit_granted':
      return (data as EventData<'usage.quota_exceeded'>).customer_id;
  }
}

type Customer = Pick<EventData<'customer.onboarded'>['customer'], 'id' | 'name'>;
export interface Rendered {
  template: string;
  subject: string;
  body: string;
  /** Also worth a short SMS when the customer has a phone number. */
  sms: string | null;
}

const greet = (c: Customer) => `Hello ${c.name ?? 'there'},`;

const day = (iso: string) => iso.slice(0, 10);
const amount = (minor: number, currency: string) => formatMoney({ amount: minor, currency });

/** Renders the message for a billing event to `c`; plain functions of the event, no I/O. */
export function renderBilling(type: BillingEvent, data: EventData<BillingEvent>, c: Customer): Rendered | null {
  switch (type) {
    case 'invoice.finalized': {
      const { invoice } = data as EventData<'invoice.finalized'>;
      if (invoice.amount_due === 0) return null; // paid by credit at once: invoice.paid is the news
      const due = amount(invoice.amount_due, invoice.currency);
      return {
        template: 'invoice_finalized',
        subject: `Invoice ${invoice.number} for ${due}`,
        body: `${greet(c)}\n\ninvoice ${invoice.number} for ${day(invoice.period_start)} to ${day(invoice.period_end)} is ready: total ${amount(invoice.total, invoice.currency)}, credit applied ${amount(invoice.credit_applied, invoice.currency)}, amount due ${due}. We will charge your payment method on file.`,
        sms: null,
      };
    }
    case 'payment.succeeded': {
      const { payment } = data as EventData<'payment.succeeded'>;
      return {
        template: 'payment_succeeded',
        subject: `Payment received: ${amount(payment.amount, payment.currency)}`,
        body: `${greet(c)}\n\nwe received your payment of ${amount(payment.amount, payment.currency)} (${payment.id}). Thank you.`,
        sms: null,
      };
    }
    case 'payment.failed': {
      const { payment, failure_message, next_attempt_at, final } = data as EventData<'payment.failed'>;
      const next = next_attempt_at
        ? `We will try again on ${day(next_attempt_at)}; you can update your payment method before then.`
        : final
          ? 'This was the last attempt: the invoice is now uncollectible and the subscription is canceled.'
          : 'Please update your payment method or pay the invoice another way.';
      return {
        template: 'payment_failed',
        subject: `Payment of ${amount(payment.amount, payment.currency)} failed`,
        body: `${greet(c)}\n\nyour payment of ${amount(payment.amount, payment.currency)} failed: ${failure_message} ${next}`,
        sms: `Payment of ${amount(payment.amount, payment.currency)} failed. ${next_attempt_at ? `Next try ${day(next_attempt_at)}.` : ''}`.trim(),
      };
    }
    case 'payment.refunded': {
      const { payment } = data as EventData<'payment.refunded'>;
      return {
        template: 'payment_refunded',
        subject: `Refund of ${amount(payment.amount, payment.currency)}`,
        body: `${greet(c)}\n\nwe could not apply your payment of ${amount(payment.amount, payment.currency)} (${payment.id}) to its invoice, so we refunded it in full.`,
        sms: null,
      };
    }
    case 'subscription.canceled': {
      const { subscription, effective_at, reason } = data as EventData<'subscription.canceled'>;
      const why = reason === 'dunning_exhausted' ? ' because its invoice could not be collected' : reason === 'incomplete_expired' ? ' because its first invoice was not paid' : '';
      return {
        template: 'subscription_canceled',
        subject: 'Your subscription is canceled',
        body: `${greet(c)}\n\nyour subscription ${subscription.id} is canceled${why}; it ends on ${day(effective_at)}.`,
        sms: null,
      };
    }
    case 'usage.quota_exceeded': {
      const q = data as EventData<'usage.quota_exceeded'>;
      const what = q.quota_policy === 'block' ? 'further usage is refused until the next period' : 'further usage is billed as overage';
      return {
        template: 'quota_exceeded',
        subject: 'You have used your included AI tokens',
        body: `${greet(c)}\n\nyour subscription ${q.subscription_id} used its ${q.included_tokens} included tokens for the period from ${day(q.period_start)}; ${what}.`,
        sms: `Your ${q.included_tokens} included AI tokens are used up; ${what}.`,
      };
    }
    case 'usage.threshold_reached': {
      const r = data as EventData<'usage.threshold_reached'>;
      const value = (n: number) => (r.threshold.metric === 'tokens' ? `${n} AI tokens` : amount(n, r.currency));
      const early = r.threshold.invoice_early ? ' The usage overage so far will be invoiced now.' : '';
      return {
        template: 'usage_threshold_reached',
        subject: `Usage alert: ${value(r.threshold.value)} reached`,
        body: `${greet(c)}\n\nyour subscription ${r.subscription_id} reached ${value(r.value_reached)} in the period from ${day(r.period_start)} to ${day(r.period_end)}, past your alert at ${value(r.threshold.value)}.${early}`,
        sms: null,
      };
    }
    case 'customer.credit_granted': {
      const g = data as EventData<'customer.credit_granted'>;
      return {
        template: 'credit_granted',
        subject: `${formatMoney(g.amount)} credit on your account`,
        body: `${greet(c)}\n\n${formatMoney(g.amount)} of credit was added to your account (${g.description}). It is taken off your next invoice.`,
        sms: null,
      };
    }
  }
}

/** Renders the message for a customer lifecycle event; plain functions of the event, no I/O. */
export function render(type: CustomerEvent, data: EventData<CustomerEvent>): Rendered {
  const c = data.customer;
  switch (type) {
    case 'customer.onboarded':
      return {
        template: 'welcome',
        subject: 'Welcome aboard',
        body: `${greet(c)}\n\nyour account ${c.id} is set up. We will let you know as soon as it is active.`,
        sms: null,
      };
    case 'customer.activated':
      return {
        template: 'activated',
        subject: 'Your account is active',
        body: `${greet(c)}\n\nyour account ${c.id} is now active.`,
        sms: `Your account ${c.id} is now active.`,
      };
    case 'customer.deactivated':
      return {
        template: 'deactivated',
        subject: 'Your account was deactivated',
        body: `${greet(c)}\n\nyour account ${c.id} was deactivated. Reply to this message if this is unexpected.`,
        sms: `Your account ${c.id} was deactivated.`,
      };
    case 'customer.promoted': {
      const { from, to } = data as EventData<'customer.promoted'>;
      return {
        template: 'promoted',
        subject: `You are now ${to}`,
        body: `${greet(c)}\n\nyour account moved from ${from} to ${to}. Thank you for your business.`,
        sms: null,
      };
    }
  }
}

/** The portal's account emails; each carries a single-use token, so none is rendered from an event. */
export type AccountEmail = (typeof userTokenPurposes)[number];

/**
 * Renders an account email to a person (`name`) with its one-time `token` and how long it works.
 * Plain function, no I/O; the token appears once, on a line of its own, as `code: <token>`.
 */
export function renderAccountEmail(kind: AccountEmail, to: { name: string | null; company?: string | null }, token: string, validFor: string): Rendered {
  const hello = `Hello ${to.name ?? 'there'},`;
  switch (kind) {
    case 'password_reset':
      return {
        template: 'password_reset',
        subject: 'Reset your password',
        body: `${hello}\n\nsomeone asked to reset the password of your account. To choose a new one, send this code with your new password to POST /v1/portal/password/reset. It works once, for ${validFor}.\n\ncode: ${token}\n\nIf you did not ask for this, ignore this email: your password stays as it is.`,
        sms: null,
      };
    case 'email_verification':
      return {
        template: 'email_verification',
        subject: 'Confirm your email address',
        body: `${hello}\n\nthank you for signing up. To confirm that this address is yours, send this code to POST /v1/portal/email/verify. It works once, for ${validFor}.\n\ncode: ${token}`,
        sms: null,
      };
    case 'invitation':
      return {
        template: 'invitation',
        subject: `You are invited to ${to.company ?? 'your company'}'s account`,
        body: `${hello}\n\nyou were invited to ${to.company ?? 'your company'}'s account. To accept, choose a password and send it with this code to POST /v1/portal/invitations/accept. It works once, for ${validFor}.\n\ncode: ${token}`,
        sms: null,
      };
  }
}

/** The one-time codes of account emails masked (`code: [redacted]`): for logs, and for a message once it is settled. */
export const redactCodes = (text: string): string => text.replace(/code: [A-Za-z0-9_-]+/g, 'code: [redacted]');
