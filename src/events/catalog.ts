import * as v from 'valibot';
import { apiKeyEvents } from '../api-keys/events.ts';
import { auditEvents, auditReports } from '../audit/events.ts';
import { billingEvents } from '../billing/events.ts';
import { couponEvents } from '../coupons/events.ts';
import { customerEvents } from '../customers/events.ts';
import { entitlementEvents } from '../entitlements/events.ts';
import { invoiceDocumentEvents } from '../invoice-documents/events.ts';
import { meterEvents } from '../meters/events.ts';
import { notificationEvents } from '../notifications/events.ts';
import { paymentEvents } from '../payments/events.ts';
import { planEvents } from '../plans/events.ts';
import { priceOverrideEvents } from '../price-overrides/events.ts';
import { portalEvents } from '../portal/events.ts';
import { profilingEvents } from '../profiling/events.ts';
import { profitabilityEvents } from '../profitability/events.ts';
import { subscriptionEvents } from '../subscriptions/events.ts';
import { suggestionEvents } from '../suggestions/events.ts';
import { testClockEvents } from '../test-clocks/events.ts';
import { usageEvents, usageReports } from '../usage/events.ts';
import { usageThresholdEvents } from '../usage-thresholds/events.ts';
import { userEvents } from '../users/events.ts';
import { walletEvents } from '../wallets/events.ts';
import { webhookEvents } from '../webhooks/events.ts';
import type { CloudEvent } from './envelope.ts';

/**
 * Every event type the platform knows, with the schema of its `data`: what each domain
 * declares in its `events.ts` (the events it emits; one emitted by two domains lives in the
 * one its type names), gathered here. Shapes several domains share are in `shapes.ts`.
 * Producers validate before writing to the outbox; consumers validate before handling and
 * dead-letter what does not match.
 */
export const catalog = {
  ...customerEvents,
  ...profilingEvents,
  ...userEvents,
  ...portalEvents,
  ...planEvents,
  ...priceOverrideEvents,
  ...meterEvents,
  ...subscriptionEvents,
  ...billingEvents,
  ...couponEvents,
  ...invoiceDocumentEvents,
  ...paymentEvents,
  ...walletEvents,
  ...usageEvents,
  ...usageThresholdEvents,
  ...entitlementEvents,
  ...apiKeyEvents,
  ...notificationEvents,
  ...webhookEvents,
  ...profitabilityEvents,
  ...suggestionEvents,
  ...testClockEvents,
  ...auditEvents,
} as const;

export type EventType = keyof typeof catalog;
export type EventData<T extends EventType> = v.InferOutput<(typeof catalog)[T]>;

/** An event as a command asks for it; the outbox adds id, time, source and sequence. */
export type NewEvent = { [T in EventType]: { type: T; subject: string; data: EventData<T> } }[EventType];

/** Event types, for filters and documentation. */
export const eventTypes = Object.keys(catalog) as EventType[];

/**
 * The types other services publish for this platform to consume (a gateway's usage report, another
 * service's audit entry): the platform never emits them, and never forwards them to webhooks.
 */
export const reportedEventTypes: readonly EventType[] = [...usageReports, ...auditReports];

/** The types this platform emits: what webhook endpoints can ask for. */
export const emittedEventTypes = eventTypes.filter((type) => !reportedEventTypes.includes(type));

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
