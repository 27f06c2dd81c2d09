import type { StoredCharge } from '../../db/schema/index.ts';
import { priceFor, type PricedMeterCharge, type UsageGroup } from '../pricing/charges.ts';

/** The dimension that names a model on `ai_tokens` usage. */
const MODEL = 'model';

/**
 * Splits `amount` minor units over `parts` in proportion to their quantities, exactly: each part
 * gets the floor of its share and the units left go one each to the largest remainders (the first
 * part on a tie), so the shares always add up to `amount`. A negative amount is split the same way.
 */
export function shareByQuantity(amount: number, parts: readonly (readonly [key: string, quantity: number])[]): Map<string, number> {
  const out = new Map<string, number>();
  const total = parts.reduce((sum, [, q]) => sum + BigInt(q), 0n);
  if (total === 0n || amount === 0) return out;
  const sign = amount < 0 ? -1 : 1;
  const whole = BigInt(Math.abs(amount));
  const shares = parts.map(([key, q], index) => ({ key, index, floor: (whole * BigInt(q)) / total, remainder: (whole * BigInt(q)) % total }));
  let left = whole - shares.reduce((sum, s) => sum + s.floor, 0n);
  for (const s of [...shares].sort((a, b) => (b.remainder > a.remainder ? 1 : b.remainder < a.remainder ? -1 : a.index - b.index))) {
    if (left === 0n) break;
    s.floor += 1n;
    left -= 1n;
  }
  for (const s of shares) out.set(s.key, (out.get(s.key) ?? 0) + sign * Number(s.floor));
  return out;
}

/**
 * What each model brought in of one `ai_tokens` charge priced over a period's groups:
 *
 *   a line whose price names a `model` is that model's revenue, whole;
 *   any other line (the default price, or a price naming other dimensions only) is shared among
 *   the models of the groups it priced, by their quantity (`shareByQuantity`);
 *   the charge's minimum or maximum (`adjustment`) is shared among all its models by quantity.
 *
 * Groups without a model count under `(none)`. The shares add up to the charge's amount.
 */
export function revenueByModel(charge: StoredCharge, groups: readonly UsageGroup[], priced: PricedMeterCharge): Map<string, number> {
  const modelOf = (g: UsageGroup) => g.dimensions[MODEL] ?? '(none)';
  const keyOf = (dimensions: Record<string, string> | null) => (dimensions === null ? '' : JSON.stringify(dimensions));
  const byLine = new Map<string, Map<string, number>>();
  const all = new Map<string, number>();
  for (const group of groups) {
    const price = priceFor(charge, group.dimensions);
    if (price === null) continue;
    const key = keyOf(price === 'default' ? null : price.dimensions);
    const models = byLine.get(key) ?? new Map<string, number>();
    models.set(modelOf(group), (models.get(modelOf(group)) ?? 0) + group.quantity);
    byLine.set(key, models);
    all.set(modelOf(group), (all.get(modelOf(group)) ?? 0) + group.quantity);
  }
  const out = new Map<string, number>();
  const add = (shares: Map<string, number>) => {
    for (const [model, amount] of shares) out.set(model, (out.get(model) ?? 0) + amount);
  };
  for (const line of priced.lines) {
    const named = line.dimensions?.[MODEL];
    if (named !== undefined) add(new Map([[named, line.amount]]));
    else add(shareByQuantity(line.amount, [...(byLine.get(keyOf(line.dimensions)) ?? [])]));
  }
  add(shareByQuantity(priced.adjustment, [...all]));
  return out;
}
