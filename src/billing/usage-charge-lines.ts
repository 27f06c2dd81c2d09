import { and, eq, ne } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { invoiceLines, invoices, type InvoiceLinePricing } from '../../db/schema/index.ts';
import type { PricedChargeLine } from '../pricing/charges.ts';
import type { PricedUsageCharge } from '../pricing/period-usage.ts';

type DraftLine = Omit<typeof invoiceLines.$inferInsert, 'id' | 'invoiceId'>;
type Period = { start: number; end: number };

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** What a line bills: a price's usage (its dimension values, null for the default price) or the charge's minimum/maximum. */
const keyOf = (meter: string, dimensions: Record<string, string> | null, bound: boolean) => `${meter}\u0000${bound ? 'bound' : JSON.stringify(dimensions)}`;

/** "ai_tokens model=gpt-4o token_type=output": the meter and the dimension values the price names. */
export const usageLabel = (meter: string, dimensions: Record<string, string> | null) =>
  [meter, ...Object.entries(dimensions ?? {}).map(([k, v]) => `${k}=${v}`)].join(' ');

/** The unit price a line shows: per unit, or per package; null for tiers (the breakdown has them). */
function unitPriceOf(model: PricedUsageCharge['model'], line: PricedChargeLine): string | null {
  if (model === 'per_unit' || model === 'package') return line.priced.lines[0]?.unit_price ?? null;
  return null;
}

/** How a priced line reads on the invoice. */
function describe(model: PricedUsageCharge['model'], line: PricedChargeLine): string {
  const label = usageLabel(line.meter, line.dimensions);
  const { priced } = line;
  const included = priced.included_quantity > 0 ? ` (${count.format(Math.min(priced.included_quantity, priced.quantity))} of ${count.format(priced.quantity)} included)` : '';
  const first = priced.lines[0];
  switch (model) {
    case 'per_unit':
      return `${label}: ${count.format(priced.billable_quantity)} × ${first?.unit_price ?? '0'}${included}`;
    case 'package':
      return `${label}: ${count.format(priced.quantity)} units, ${count.format(first?.packages ?? 0)} × ${first?.unit_price ?? '0'} per ${count.format(first?.package_size ?? 0)}${included}`;
    case 'graduated':
    case 'volume': {
      const tiers = priced.lines.length;
      return `${label}: ${count.format(priced.quantity)} units, ${model} (${tiers} tier${tiers === 1 ? '' : 's'})${included}`;
    }
  }
}

const pricingOf = (model: PricedUsageCharge['model'], line: PricedChargeLine): InvoiceLinePricing => ({
  model,
  included_quantity: line.priced.included_quantity,
  billable_quantity: line.priced.billable_quantity,
  tiers: line.priced.lines,
  subtotal: line.priced.subtotal,
});

/** What the subscription's invoices (any status but void) already billed of a period's usage charges, per line key. */
async function billedCharges(db: Executor, subscriptionId: string, periodStart: number): Promise<Map<string, { amount: number; quantity: number }>> {
  const rows = await db
    .select({ meter: invoiceLines.meter, dimensions: invoiceLines.dimensions, pricing: invoiceLines.pricing, amount: invoiceLines.amount, quantity: invoiceLines.quantity })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(and(eq(invoices.subscriptionId, subscriptionId), ne(invoices.status, 'void'), eq(invoiceLines.periodStart, periodStart), eq(invoiceLines.kind, 'usage_charge')));
  const billed = new Map<string, { amount: number; quantity: number }>();
  for (const row of rows) {
    const key = keyOf(row.meter ?? '', row.dimensions ?? null, row.pricing === null);
    const sum = billed.get(key) ?? { amount: 0, quantity: 0 };
    billed.set(key, { amount: sum.amount + row.amount, quantity: sum.quantity + row.quantity });
  }
  return billed;
}

/**
 * The `usage_charge` lines of an invoice billing `period`'s usage by charges: one per priced line
 * of each charge (its meter, the dimension values of its price — null for the default price —,
 * quantity, unit price for per_unit and package, the breakdown), then one per charge whose period
 * minimum or maximum applied (quantity 1, no dimensions, no pricing).
 *
 * Like the token overage, progressive billing stays exact per line: each line bills its
 * cumulative amount and quantity less what the period's earlier (non-void) invoices billed on the
 * same meter and dimension values, so a period's invoices sum to the one-invoice figure. An early
 * (`threshold`) invoice bills no minimum or maximum: those bound the whole period and are settled
 * on its period-end invoice (a maximum then comes as a negative line when early invoices billed past it).
 */
export async function usageChargeLines(db: Executor, subscriptionId: string, charges: readonly PricedUsageCharge[], period: Period, early: boolean): Promise<DraftLine[]> {
  const billed = await billedCharges(db, subscriptionId, period.start);
  const lines: DraftLine[] = [];
  const base = { kind: 'usage_charge' as const, periodStart: period.start, periodEnd: period.end, sourceId: null };
  for (const charge of charges) {
    for (const line of charge.lines) {
      const before = billed.get(keyOf(line.meter, line.dimensions, false)) ?? { amount: 0, quantity: 0 };
      const quantity = line.quantity - before.quantity;
      const amount = line.amount - before.amount;
      if (quantity === 0 && amount === 0) continue;
      const described = describe(charge.model, line);
      lines.push({
        ...base,
        description: before.quantity > 0 || before.amount !== 0 ? `${described}; ${count.format(before.quantity)} billed before` : described,
        amount,
        quantity,
        meter: line.meter,
        dimensions: line.dimensions,
        unitPrice: unitPriceOf(charge.model, line),
        pricing: pricingOf(charge.model, line),
      });
    }
    if (early) continue;
    const before = billed.get(keyOf(charge.meter, null, true))?.amount ?? 0;
    const adjustment = charge.adjustment - before;
    if (adjustment === 0) continue;
    const bound = charge.adjustment > 0 ? 'minimum' : 'maximum';
    lines.push({ ...base, description: `${bound} for ${charge.meter}`, amount: adjustment, quantity: 1, meter: charge.meter, dimensions: null, unitPrice: null, pricing: null });
  }
  return lines;
}
