import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { chunks } from '../../db/chunks.ts';
import { planPrices, plans, planVersions } from '../../db/schema/index.ts';
import { DomainError, notFound } from '../kernel/errors.ts';
import type { PlanPriceRow, PlanRow, PlanVersionRow } from './present.ts';

/** Reads a plan or fails with not_found. */
export async function loadPlan(db: Executor, id: string): Promise<PlanRow> {
  const [row] = await db.select().from(plans).where(eq(plans.id, id));
  if (!row) throw notFound('Plan', id);
  return row;
}

/**
 * Reads one version of a plan or fails with not_found. With `currency` (a subscription's),
 * the price terms (`priceAmount`, `overagePricePer1k`, `seatPrice`, `currency`) are the version's price in
 * that currency; a version without one fails with `unpriced` (409 `currency_mismatch` naming `plan_id` and `currency`).
 * Without it, or null, they are the version's default price.
 */
export async function loadPlanVersion(db: Executor, planId: string, version: number, currency?: string | null): Promise<PlanVersionRow> {
  const [row] = await db.select().from(planVersions).where(and(eq(planVersions.planId, planId), eq(planVersions.version, version)));
  if (!row) throw new DomainError('not_found', `plan ${planId} has no version ${version}`, { resource: 'plan_version', id: planId, version });
  if (!currency || currency === row.currency) return row;
  const [price] = await db.select().from(planPrices).where(and(eq(planPrices.planId, planId), eq(planPrices.version, version), eq(planPrices.currency, currency)));
  if (!price) throw unpriced(planId, version, currency);
  return { ...row, currency, priceAmount: price.priceAmount, overagePricePer1k: price.overagePricePer1k, seatPrice: price.seatPrice };
}

/** The failure of a plan version that has no price in a customer's currency. */
export function unpriced(planId: string, version: number, currency: string): DomainError {
  const message = `plan ${planId} (version ${version}) has no price in ${currency}, the currency the customer is billed in`;
  return new DomainError('currency_mismatch', message, {
    issues: [
      { field: 'plan_id', message: `must be a plan priced in ${currency}` },
      { field: 'currency', message: `the customer is billed in ${currency}; plan ${planId} has no price in it` },
    ],
  });
}

/** The prices of one plan version in its other currencies. */
export function loadPlanPrices(db: Executor, planId: string, version: number): Promise<PlanPriceRow[]> {
  return db.select().from(planPrices).where(and(eq(planPrices.planId, planId), eq(planPrices.version, version)));
}

/** The other-currency prices of many plan versions, keyed `plan@version` (a version without any has no key). */
export async function loadPricesOf(db: Executor, versions: readonly { planId: string; version: number }[]): Promise<Map<string, PlanPriceRow[]>> {
  const out = new Map<string, PlanPriceRow[]>();
  const wanted = new Set(versions.map((v) => `${v.planId}@${v.version}`));
  for (const part of chunks([...new Set(versions.map((v) => v.planId))])) {
    const rows = await db.select().from(planPrices).where(inArray(planPrices.planId, part));
    for (const r of rows) {
      const key = `${r.planId}@${r.version}`;
      if (wanted.has(key)) out.set(key, [...(out.get(key) ?? []), r]);
    }
  }
  return out;
}

/** True when a SQLite error is the unique index on plan codes. */
export const isDuplicateCode = (error: unknown) => String((error as { cause?: unknown })?.cause ?? error).includes('plans.code');
