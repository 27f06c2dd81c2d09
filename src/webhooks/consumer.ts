import type { EventHandler } from '../bus/consumer.ts';
import { emittedEventTypes, type KnownEvent } from '../events/catalog.ts';
import { isAcceptedUsage } from '../usage/events.ts';
import { queueWebhookDeliveries } from './fan-out.ts';
import { anyEndpointEnabled } from './queries.ts';

/**
 * The `webhooks` consumer group: for each event about a customer, one pending delivery per
 * enabled endpoint of that customer that asked for its type (`queueWebhookDeliveries`), in the
 * inbox's transaction. Sending is the sender's job (`deliver.ts`).
 */
export const webhooksHandler: EventHandler = {
  group: 'webhooks',
  types: emittedEventTypes,
  // Without a single enabled endpoint no event is anybody's delivery: no transaction, no inbox row.
  // A delivery is unique per endpoint and event, so the effect stays once without the inbox.
  relevant: (db) => anyEndpointEnabled(db),
  // A gateway's report under the deprecated usage.recorded is another service's, not ours: only
  // the record we accepted for it goes out (docs/events-and-workers.md, "Usage from the bus").
  handle: (ctx, event) => (isGatewayReport(event) ? Promise.resolve() : queueWebhookDeliveries(ctx, event)),
};

const isGatewayReport = (event: KnownEvent) => event.type === 'usage.recorded' && !isAcceptedUsage((event as KnownEvent<'usage.recorded'>).data);
