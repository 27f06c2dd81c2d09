import type { notificationOutcomes } from '../../db/schema/notifications.ts';

/** A consumer group's backlog as the bus reports it, set at scrape time. */
export interface GroupGauge {
  group: string;
  lag: number;
  deadLetters: number;
}

/** The outbox's unpublished rows, set at scrape time. */
export interface OutboxGauge {
  depth: number;
  /** Age of the oldest unpublished row in seconds; 0 when the outbox is drained. */
  oldestAgeSeconds: number;
}

/** What a scrape answers: the exposition text and its content type. */
export interface Exposition {
  contentType: string;
  body: string;
}

/**
 * The metrics port the app, the relay and the workers call. The no-op adapter is the default
 * (and all the Workers bundle has); server entries build the Prometheus one
 * (`src/metrics/prometheus.ts`). Labels are bounded: route templates, event types, group names.
 */
export interface Metrics {
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  eventsPublished(type: string, n: number): void;
  eventConsumed(group: string, type: string): void;
  /** A send's outcome, or `retrying` while attempts are left. */
  notification(channel: string, status: (typeof notificationOutcomes)[number] | 'retrying'): void;
  payment(outcome: string): void;
  usageTokens(n: number): void;
  /** Gauges read from the bus and the outbox just before a scrape. */
  queues(groups: readonly GroupGauge[], outbox: OutboxGauge): void;
  /** The exposition text, or null when this adapter keeps nothing (no-op). */
  expose(): Promise<Exposition | null>;
}

/** Keeps nothing: the default, so shared code never needs a metrics library. */
export const noopMetrics: Metrics = {
  httpRequest() {},
  eventsPublished() {},
  eventConsumed() {},
  notification() {},
  payment() {},
  usageTokens() {},
  queues() {},
  expose: async () => null,
};
