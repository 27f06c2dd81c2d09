import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { maxChars, singleLine } from '../kernel/text.ts';

/** The query of GET /v1/audit, and of the dashboard's audit log. */
export const listAuditQuery = v.object({
  ...pageQuery,
  actor: v.optional(v.pipe(v.string(), ...maxChars(100))),
  action: v.optional(v.pipe(v.string(), ...maxChars(100))),
  target_id: v.optional(v.pipe(v.string(), ...maxChars(100))),
  /** The service that reported the entries (its CloudEvents `source`, as `audit.recorded` allows it); empty, like the others, filters nothing. */
  source: v.optional(v.pipe(v.string(), singleLine, ...maxChars(200))),
});
export type ListAuditQuery = v.InferOutput<typeof listAuditQuery>;

/** An audit entry: who changed what, and (for another service's entry) which service reported it. */
export const auditResource = v.object({
  id: v.string(),
  actor: v.string(),
  action: v.string(),
  target_type: v.string(),
  target_id: v.string(),
  request_id: v.nullable(v.string()),
  at: v.string(),
  data: v.nullable(v.record(v.string(), v.unknown())),
  /** The service that reported it (`audit.recorded`'s `source`); null for this platform's own entries. */
  source: v.nullable(v.string()),
});
export type AuditEntryResource = v.InferOutput<typeof auditResource>;
