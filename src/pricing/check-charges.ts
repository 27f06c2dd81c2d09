import { inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { meters, type StoredCharge } from '../../db/schema/index.ts';
import type { FieldIssue } from '../kernel/errors.ts';
import type { UsageChargeInput } from './contract.ts';

/**
 * The rules of a list of usage charges that need the database, each issue named by its field
 * (`charges.1.prices.0.dimensions.region`), all at once:
 *   the meter exists and is active; no two charges price one meter;
 *   a dimension price names only properties its meter groups by;
 *   `currency`, when given, is the currency the charges are priced in (the plan version's).
 * `field` is the list's field name (`charges`).
 */
export async function chargeIssuesAgainst(db: Executor, charges: readonly UsageChargeInput[], currency: string, field = 'charges'): Promise<FieldIssue[]> {
  const codes = [...new Set(charges.map((c) => c.meter))];
  const rows = codes.length === 0 ? [] : await db.select().from(meters).where(inArray(meters.code, codes));
  const byCode = new Map(rows.map((m) => [m.code, m]));
  const issues: FieldIssue[] = [];
  const priced = new Map<string, number>();
  charges.forEach((charge, i) => {
    const at = `${field}.${i}`;
    const meter = byCode.get(charge.meter);
    if (!meter) issues.push({ field: `${at}.meter`, message: `names no meter: ${charge.meter} (GET /v1/meters lists them)` });
    else if (meter.status !== 'active') issues.push({ field: `${at}.meter`, message: `names the archived meter ${charge.meter}, which takes no new prices` });
    if (priced.has(charge.meter)) issues.push({ field: `${at}.meter`, message: `is priced already by ${field}.${priced.get(charge.meter)}: one charge per meter` });
    else priced.set(charge.meter, i);
    if (charge.currency !== undefined && charge.currency !== currency) issues.push({ field: `${at}.currency`, message: `must be ${currency}, the currency the version is priced in` });
    if (meter) {
      (charge.prices ?? []).forEach((price, j) => {
        for (const name of Object.keys(price.dimensions)) {
          if (!meter.groupBy.includes(name)) {
            const by = meter.groupBy.length ? `groups by ${meter.groupBy.join(', ')}` : 'groups by no property';
            issues.push({ field: `${at}.prices.${j}.dimensions.${name}`, message: `is not a dimension of meter ${meter.code}, which ${by}` });
          }
        }
      });
    }
  });
  return issues;
}

/** A charge as stored: the input without `currency` (the version's currency is the charge's). */
export const toStoredCharge = ({ currency: _, ...charge }: UsageChargeInput): StoredCharge => charge as StoredCharge;
