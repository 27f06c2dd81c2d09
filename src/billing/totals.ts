import { applyTaxBasisPoints, money, sum } from '../kernel/money.ts';

/**
 * An invoice's totals from its lines, in signed integer minor units of one currency:
 *
 *   subtotal       = Σ line amounts (proration credits are negative)
 *   tax            = round_half_up(subtotal × tax_rate_bps / 10,000)
 *   total          = subtotal + tax
 *   credit_applied = min(credit balance, total) when total > 0, else 0
 *   amount_due     = total − credit_applied (≥ 0)
 *   credit_granted = −total when total < 0: a negative invoice becomes customer credit
 *
 * Tax is computed once on the subtotal, not per line, so lines never round twice.
 */
export interface TotalsInput {
  lineAmounts: readonly number[];
  currency: string;
  taxRateBps: number;
  /** The customer's credit balance in the invoice's currency (≥ 0). */
  creditBalance: number;
}

export interface Totals {
  subtotal: number;
  tax: number;
  total: number;
  creditApplied: number;
  amountDue: number;
  creditGranted: number;
}

export function invoiceTotals(input: TotalsInput): Totals {
  const { currency, taxRateBps, creditBalance } = input;
  if (!Number.isSafeInteger(creditBalance) || creditBalance < 0) throw new RangeError(`a credit balance is a whole, non-negative amount, got ${creditBalance}`);
  const subtotal = sum(input.lineAmounts.map((a) => money(a, currency)), currency);
  const { tax, total } = applyTaxBasisPoints(subtotal, taxRateBps);
  const creditApplied = total.amount > 0 ? Math.min(creditBalance, total.amount) : 0;
  return {
    subtotal: subtotal.amount,
    tax: tax.amount,
    total: total.amount,
    creditApplied,
    amountDue: Math.max(0, total.amount - creditApplied),
    creditGranted: total.amount < 0 ? -total.amount : 0,
  };
}
