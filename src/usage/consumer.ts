import * as v from 'valibot';
import { UnprocessableEvent, type EventHandler } from '../bus/consumer.ts';
import type { KnownEvent } from '../events/catalog.ts';
import { recordUsage } from './record.ts';
import { usageRecordInput } from './contract.ts';
import { isAcceptedUsage } from './events.ts';

/**
 * The usage consumer: records the `usage.reported` events that other services publish
 * (an AI gateway producing to the bus instead of calling POST /v1/usage), token records and
 * usage events for any meter alike. A record
 * delivered twice, or also posted to the API, counts once: records are keyed by the
 * customer and their own id. A record that breaks the API's rules, or reuses an id for
 * a different record (`conflict`), is dead-lettered at once with the reason. A refused
 * record (no subscription, over a block quota, erased customer, closed period, …) is
 * logged and marked handled, not retried: it would be refused again.
 *
 * Deprecated until the next minor release (0.2.0): a report published as `usage.recorded`,
 * the type of the records we accepted, is still recorded. The two are told apart by their
 * data, never by `source`: a `usage.recorded` that carries `subscription_id`, `period_start`,
 * `overage_tokens` and `recorded_at` is one we emitted on accepting a record (only acceptance
 * knows them) and is skipped; one without them is a report.
 */
export function usageIngestHandler(): EventHandler {
  return {
    group: 'usage-ingest',
    types: ['usage.reported', 'usage.recorded'],
    async handle(ctx, event) {
      const { data } = event as KnownEvent<'usage.reported' | 'usage.recorded'>;
      if (event.type === 'usage.recorded') {
        const recorded = data as KnownEvent<'usage.recorded'>['data'];
        if (isAcceptedUsage(recorded)) return;
        ctx.logger.warn('usage reported as usage.recorded, deprecated: publish usage.reported', { record_id: data.id, customer_id: data.customer_id, source: event.source });
      }
      // The record's own fields only, checked by the schema POST /v1/usage uses (either shape).
      const record =
        'meter' in data && 'timestamp' in data
          ? { id: data.id, customer_id: data.customer_id, subscription_id: data.subscription_id, meter: data.meter, timestamp: data.timestamp, properties: data.properties }
          : (({ id, customer_id, subscription_id, model, tokens, token_type, occurred_at }) => ({ id, customer_id, subscription_id, model, tokens, occurred_at, ...(token_type === undefined ? {} : { token_type }) }))(
              data as Extract<KnownEvent<'usage.reported'>['data'], { model: string }>,
            );
      const parsed = v.safeParse(usageRecordInput, record);
      if (!parsed.success) {
        throw new UnprocessableEvent(`invalid usage record: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? 'data'}: ${i.message}`).join('; ')}`);
      }
      const batch = await recordUsage(ctx, [parsed.output]);
      const result = batch.results[0];
      if (result?.status === 'conflict') {
        throw new UnprocessableEvent(`usage record ${data.id} conflicts with the record stored under that id for customer ${data.customer_id}: ${result.field} differs`);
      }
      if (result?.status === 'refused') ctx.logger.warn('usage record from the bus refused', { record_id: data.id, customer_id: data.customer_id, source: event.source, reason: result.reason });
    },
  };
}
