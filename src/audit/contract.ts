import * as v from 'valibot';

/** An audit entry: who changed what. */
export const auditResource = v.object({
  id: v.string(),
  actor: v.string(),
  action: v.string(),
  target_type: v.string(),
  target_id: v.string(),
  request_id: v.nullable(v.string()),
  at: v.string(),
  data: v.nullable(v.record(v.string(), v.unknown())),
});
export type AuditEntryResource = v.InferOutput<typeof auditResource>;
