import * as v from 'valibot';
import { UnprocessableEvent, type EventHandler } from '../bus/consumer.ts';
import type { KnownEvent } from '../events/catalog.ts';
import { auditSource } from './events.ts';
import { recordForeignAudit } from './record.ts';

/**
 * The `audit-ingest` group: other services' `audit.recorded` events into the audit trail,
 * under their CloudEvents `source` (docs/audit.md). Their data was validated against the
 * catalog before it got here; an event whose source is unusable, or is this platform's own
 * (ours are written with our changes, never reported), is dead-lettered with the reason.
 */
export function auditIngestHandler(ownSource: string): EventHandler {
  return {
    group: 'audit-ingest',
    types: ['audit.recorded'],
    async handle(ctx, event) {
      const { data, id, source, requestid } = event as KnownEvent<'audit.recorded'>;
      const parsed = v.safeParse(auditSource, source);
      if (!parsed.success) throw new UnprocessableEvent(`invalid audit.recorded source: ${parsed.issues[0].message}`);
      if (source === ownSource) throw new UnprocessableEvent(`audit.recorded from this platform's own source ${source}: its audit is written with its changes`);
      await recordForeignAudit(ctx, { source, eventId: id, requestId: requestid ?? null, entry: data });
    },
  };
}
