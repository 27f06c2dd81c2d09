import * as v from 'valibot';
import type { EventHandler } from '../bus/consumer.ts';
import { validationError } from '../kernel/errors.ts';
import { usageRecordInput } from './schema.ts';
import type { KnownEvent } from '../events/catalog.ts';
import { recordUsage } from './record.ts';

/**
 * The usage consumer: records `usage.recorded` events that other services publish
 * (an AI gateway producing to the bus instead of calling POST /v1/usage). Events
 * this platform emitted itself (same `source`) are the records it already accepted
 * and are skipped. A record delivered twice, or also posted to the API, counts once:
 * records are keyed by their own id. A record that breaks the API's rules is
 * dead-lettered with the reason. A refused record (no subscription, over a block
 * quota) is logged, not retried: it would be refused again.
 */
export function usageIngestHandler(ownSource: string): EventHandler {
  return {
    group: 'usage-ingest',
    types: ['usage.recorded'],
    async handle(ctx, event) {
      if (event.source === ownSource) return;
      const { data } = event as KnownEvent<'usage.recorded'>;
      const parsed = v.safeParse(usageRecordInput, { id: data.id, customer_id: data.customer_id, subscription_id: data.subscription_id, model: data.model, tokens: data.tokens, occurred_at: data.occurred_at });
      // Not a record the API would take either: fails, and after the retries lands in the dead letters with this reason.
      if (!parsed.success) throw validationError(parsed.issues.map((i) => ({ field: v.getDotPath(i) ?? 'data', message: i.message })));
      const batch = await recordUsage(ctx, [parsed.output]);
      const result = batch.results[0];
      if (result?.status === 'refused') ctx.logger.warn('usage record from the bus refused', { record_id: data.id, source: event.source, reason: result.reason });
    },
  };
}
