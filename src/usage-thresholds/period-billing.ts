import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { invoiceLines, invoices, usagePeriods } from '../../db/schema/index.ts';
import { money } from '../kernel/money.ts';
import { overageCharge } from '../plans/terms.ts';

/** Lines that bill a period's fee in advance: the plan's fee, its seats and its add-ons. */
const feeKinds = ['subscription_fee', 'seats', 'add_on'] as const;

/** What the subscription's invoices (any status but void) already billed for one period: fee and overage. */
export interface PeriodBilled {
  /** The plan's fee, seats and add-ons. */
  feeAmount: number;
  overageAmount: number;
  overageTokens: number;
}

/** Fee lines carry the period they pay for, overage lines the usage period they bill: both start at `periodStart`. */
export async function billedForPeriod(db: Executor, subscriptionId: string, periodStart: number): Promise<PeriodBilled> {
  const rows = await db
    .select({ kind: invoiceLines.kind, amount: sql<number>`coalesce(sum(${invoiceLines.amount}), 0)`, quantity: sql<number>`coalesce(sum(${invoiceLines.quantity}), 0)` })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(
      and(
        eq(invoices.subscriptionId, subscriptionId),
        ne(invoices.status, 'void'),
        eq(invoiceLines.periodStart, periodStart),
        inArray(invoiceLines.kind, [...feeKinds, 'usage_overage']),
      ),
    )
    .groupBy(invoiceLines.kind);
  const of = (kind: string) => rows.find((r) => r.kind === kind);
  const feeAmount = feeKinds.reduce((total, kind) => total + Number(of(kind)?.amount ?? 0), 0);
  return { feeAmount, overageAmount: Number(of('usage_overage')?.amount ?? 0), overageTokens: Number(of('usage_overage')?.quantity ?? 0) };
}

/** The period's overage tokens so far, from its running totals. */
export async function periodOverage(db: Executor, subscriptionId: string, periodStart: number): Promise<number> {
  const [usage] = await db.select({ overageTokens: usagePeriods.overageTokens }).from(usagePeriods).where(and(eq(usagePeriods.subscriptionId, subscriptionId), eq(usagePeriods.periodStart, periodStart)));
  return usage?.overageTokens ?? 0;
}

/** A plan's overage charge (src/plans/terms.ts) for `tokens`, in minor units of `currency`. */
export const overageAmount = (tokens: number, pricePer1k: number, currency: string): number => overageCharge(tokens, money(pricePer1k, currency)).amount;

/** What is left to bill of a period's overage: tokens and amount not yet on an invoice. */
export interface OverageDue {
  /** The period's overage tokens in all. */
  totalTokens: number;
  /** Tokens not yet billed (this invoice's quantity). */
  tokens: number;
  /** This invoice's amount. */
  amount: number;
  /** Whether earlier (early) invoices billed part of the period's overage. */
  partlyBilled: boolean;
}

/**
 * Progressive billing stays exact by billing the cumulative rounded charge minus what
 * was billed before, never a rounded charge of each slice:
 *
 *   amount = round_half_up(total_overage_tokens × price_per_1k / 1000) − Σ overage amounts already billed
 *
 * so the invoices of a period sum to the one-invoice figure to the minor unit, however many
 * early invoices there were. A voided early invoice no longer counts as billed: the next
 * invoice of the period bills its part again.
 */
export function overageDue(totalTokens: number, pricePer1k: number, currency: string, billed: PeriodBilled): OverageDue {
  const cumulative = overageAmount(totalTokens, pricePer1k, currency);
  return { totalTokens, tokens: totalTokens - billed.overageTokens, amount: cumulative - billed.overageAmount, partlyBilled: billed.overageTokens > 0 || billed.overageAmount !== 0 };
}
