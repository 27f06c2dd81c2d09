import { inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { meters, type Entitlement } from '../../db/schema/index.ts';
import type { FieldIssue } from '../kernel/errors.ts';

/**
 * The rules of meter-backed entitlements that need the database, every issue at once: the
 * `meter` exists, and each key of `dimensions` is one of its group_by properties. `prefixOf`
 * names where an entitlement sits in the body (`entitlements.<feature>.` on a plan, `` on an override).
 */
export async function entitlementMeterIssues(db: Executor, entitlements: readonly Entitlement[], prefixOf: (e: Entitlement) => string): Promise<FieldIssue[]> {
  const codes = [...new Set(entitlements.flatMap((e) => (e.meter === undefined ? [] : [e.meter])))];
  if (codes.length === 0) return [];
  const byCode = new Map((await db.select().from(meters).where(inArray(meters.code, codes))).map((m) => [m.code, m]));
  const issues: FieldIssue[] = [];
  for (const e of entitlements) {
    if (e.meter === undefined) continue;
    const at = prefixOf(e);
    const meter = byCode.get(e.meter);
    if (!meter) {
      issues.push({ field: `${at}meter`, message: `names no meter: ${e.meter} (GET /v1/meters lists them)` });
      continue;
    }
    for (const name of Object.keys(e.dimensions ?? {})) {
      if (meter.groupBy.includes(name)) continue;
      const by = meter.groupBy.length ? `groups by ${meter.groupBy.join(', ')}` : 'groups by no property';
      issues.push({ field: `${at}dimensions.${name}`, message: `is not a dimension of meter ${meter.code}, which ${by}` });
    }
  }
  return issues;
}
