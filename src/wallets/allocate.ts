/** A credit entry that can still be spent, in the order a draw takes them (see `spendable` in draw.ts). */
export interface Spendable {
  id: string;
  remaining: number;
}

/**
 * What a draw of up to `amount` takes from each credit entry, in the given order:
 * each entry gives all it has left until the amount is met. `drawn` is less than
 * `amount` when the entries hold less. Whole minor units in, whole out: no rounding.
 */
export function planDraw(credits: readonly Spendable[], amount: number): { drawn: number; takes: { id: string; take: number }[] } {
  const takes: { id: string; take: number }[] = [];
  let left = Math.max(0, amount);
  for (const credit of credits) {
    if (left === 0) break;
    const take = Math.min(left, credit.remaining);
    if (take <= 0) continue;
    takes.push({ id: credit.id, take });
    left -= take;
  }
  return { drawn: Math.max(0, amount) - left, takes };
}
