import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../kernel/metrics.ts';

/**
 * The Prometheus adapter over prom-client, with a registry of its own (several platforms may
 * share a process in tests) and the process metrics. Server entries only: the Workers bundle
 * never imports prom-client.
 */
export function createPrometheusMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters fail `promtool check metrics`; the per-type gauges beside them carry the same counts.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  }
  const registers = [registry];
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by route template, method and status.', labelNames: ['route', 'method', 'status'], registers });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template, method and status.',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const published = new Counter({ name: 'events_published_total', help: 'Events the relay published to the bus, by type.', labelNames: ['type'], registers });
  const consumed = new Counter({ name: 'events_consumed_total', help: 'Events a consumer group handled, by group and type.', labelNames: ['group', 'type'], registers });
  const lag = new Gauge({ name: 'consumer_lag_events', help: "Events of a group's types published but not yet handled.", labelNames: ['group'], registers });
  const deadLetters = new Gauge({ name: 'consumer_dead_letters', help: 'Events a consumer group parked as undeliverable.', labelNames: ['group'], registers });
  const outboxDepth = new Gauge({ name: 'outbox_unpublished_events', help: 'Outbox rows not yet published to the bus.', registers });
  const outboxAge = new Gauge({ name: 'outbox_oldest_unpublished_age_seconds', help: 'Age of the oldest unpublished outbox row (0 when drained).', registers });
  const notifications = new Counter({ name: 'notifications_total', help: 'Notification send attempts, by channel and status (sent, retrying, failed).', labelNames: ['channel', 'status'], registers });
  const payments = new Counter({ name: 'payments_total', help: 'Payment attempts, by outcome.', labelNames: ['outcome'], registers });
  const tokens = new Counter({ name: 'usage_tokens_total', help: 'Usage tokens recorded.', registers });

  // Every request counts once: the labelled series are looked up once per (method, status, route),
  // not hashed from a label object per request (prom-client's labels() child keeps the series).
  const series = new Map<string, { count: () => void; time: (seconds: number) => void }>();
  return {
    httpRequest(route, method, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (!s) {
        const labels = { route, method, status: String(status) };
        const counter = requests.labels(labels);
        const histogram = latency.labels(labels);
        s = { count: () => counter.inc(), time: (value) => histogram.observe(value) };
        series.set(key, s);
      }
      s.count();
      s.time(seconds);
    },
    eventsPublished: (type, n) => published.inc({ type }, n),
    eventConsumed: (group, type) => consumed.inc({ group, type }),
    notification: (channel, status) => notifications.inc({ channel, status }),
    payment: (outcome) => payments.inc({ outcome }),
    usageTokens: (n) => tokens.inc(n),
    queues(groups, outbox) {
      // Reset first: a group no longer subscribed leaves the series.
      lag.reset();
      deadLetters.reset();
      for (const g of groups) {
        lag.set({ group: g.group }, g.lag);
        deadLetters.set({ group: g.group }, g.deadLetters);
      }
      outboxDepth.set(outbox.depth);
      outboxAge.set(outbox.oldestAgeSeconds);
    },
    expose: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
