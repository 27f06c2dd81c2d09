import * as v from 'valibot';
import { oneOf } from '../kernel/one-of.ts';
import type { Actor } from '../kernel/context.ts';
import { realTimestamp } from '../kernel/iso-time.ts';
import { maxChars, singleLine } from '../kernel/text.ts';

/** Who may act in another service's audit entry: the same kinds as our own actors. */
export const auditActorKinds = ['operator', 'user', 'api_key', 'system'] as const satisfies readonly Actor['kind'][];

/** The most a reported entry's `data` may weigh, as UTF-8 JSON: a trail, not a document store. */
export const AUDIT_DATA_MAX_BYTES = 4096;

const line = (max: number) => v.pipe(v.string(), singleLine, v.minLength(1, 'must not be empty'), ...maxChars(max));

/**
 * The data of `audit.recorded`: an audit entry another service reports (docs/audit.md). Fields are
 * named as `GET /v1/audit` names them; the service is the event's CloudEvents `source`. The trail
 * shows the actor as `<kind>:<id>` (at most 100 characters, as the `actor` filter allows).
 */
const auditRecorded = v.object({
  actor: v.object({
    kind: oneOf(auditActorKinds),
    /** The actor's id, or its email, as the reporting service knows it. */
    id: line(90),
  }),
  action: line(100),
  target_type: line(50),
  target_id: line(100),
  /** When it happened in the reporting service. */
  at: realTimestamp(),
  data: v.optional(
    v.pipe(
      v.record(v.string(), v.unknown()),
      v.check((d) => new TextEncoder().encode(JSON.stringify(d)).length <= AUDIT_DATA_MAX_BYTES, `must be at most ${AUDIT_DATA_MAX_BYTES} bytes as JSON`),
    ),
  ),
});

/** The data of an `audit.recorded` event, as the consumer hands it to `recordForeignAudit`. */
export type AuditRecordedData = v.InferOutput<typeof auditRecorded>;

/** A reporting service's CloudEvents `source`, as the trail stores and filters it. */
export const auditSource = line(200);

/** What other services publish for this platform to consume; it never emits these. */
export const auditReports = ['audit.recorded'] as const;

/** The audit domain's event types, gathered into the catalog (src/events/catalog.ts). */
export const auditEvents = {
  /** Another service's audit entry, for the cross-service trail; this platform consumes it and never emits it. */
  'audit.recorded': auditRecorded,
} as const;
