import type { CustomerKind, Segment } from '../customers/lifecycle.ts';

/**
 * Deterministic profiling rules. Same input, same output: no randomness, no
 * clock reads (tenure is an input). Every point awarded is explained.
 *
 * Segment points
 *   kind: institution +40, sme +20, individual +0
 *   metadata.annual_revenue (major units, any currency): ≥ 10,000,000 +40; ≥ 1,000,000 +20; ≥ 100,000 +10
 *   metadata.employees: ≥ 1,000 +20; ≥ 50 +10
 *   tenure: ≥ 730 days +20; ≥ 365 days +10
 *   lifetime revenue paid to us (major units, summed over currencies): ≥ 10,000 +20; ≥ 1,000 +10
 *   lifetime AI tokens used: ≥ 10,000,000 +10
 *   total: ≥ 80 platinum, ≥ 50 gold, ≥ 20 silver, else bronze
 *
 * Risk score (0–100, higher is riskier), starting at 10
 *   country on the high-risk list (FATF "call for action": KP, IR, MM) +50
 *   business (sme, institution) on a free email domain +15
 *   no phone number +10
 *   tenure under 30 days +15
 */
export interface ProfileInput {
  kind: CustomerKind;
  country: string | null;
  email: string | null;
  phone: string | null;
  metadata: Record<string, unknown>;
  tenureDays: number;
  /** Revenue from paid invoices, in whole major units (floor), summed over currencies. */
  revenueMajor?: number;
  /** AI tokens of accepted usage records, lifetime. */
  usageTokens?: number;
}

export interface ProfileResult {
  segment: Segment;
  segmentPoints: number;
  segmentReasons: string[];
  riskScore: number;
  riskReasons: string[];
}

export const HIGH_RISK_COUNTRIES = ['KP', 'IR', 'MM'];
export const FREE_EMAIL_DOMAINS = ['gmail.com', 'googlemail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'live.com', 'icloud.com', 'aol.com', 'gmx.de', 'gmx.net', 'web.de', 'proton.me', 'protonmail.com', 'mail.ru', 'yandex.ru'];

const KIND_POINTS: Record<CustomerKind, number> = { institution: 40, sme: 20, individual: 0 };

const numberIn = (metadata: Record<string, unknown>, key: string): number | null => {
  const value = metadata[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

/** First threshold met wins; thresholds are ordered from the highest. */
function tier(value: number | null, tiers: [number, number][]): number {
  if (value === null) return 0;
  return tiers.find(([min]) => value >= min)?.[1] ?? 0;
}

export function segmentFor(points: number): Segment {
  if (points >= 80) return 'platinum';
  if (points >= 50) return 'gold';
  if (points >= 20) return 'silver';
  return 'bronze';
}

/** Computes segment and risk with the reasons for both. */
export function profileCustomer(input: ProfileInput): ProfileResult {
  const segmentReasons: string[] = [];
  let points = 0;
  const award = (n: number, why: string) => {
    if (n > 0) {
      points += n;
      segmentReasons.push(`+${n} ${why}`);
    }
  };
  award(KIND_POINTS[input.kind], `kind is ${input.kind}`);
  const revenue = numberIn(input.metadata, 'annual_revenue');
  award(tier(revenue, [[10_000_000, 40], [1_000_000, 20], [100_000, 10]]), `annual revenue ${revenue}`);
  const employees = numberIn(input.metadata, 'employees');
  award(tier(employees, [[1_000, 20], [50, 10]]), `${employees} employees`);
  award(tier(input.tenureDays, [[730, 20], [365, 10]]), `customer for ${input.tenureDays} days`);
  const paid = input.revenueMajor ?? 0;
  award(tier(paid, [[10_000, 20], [1_000, 10]]), `lifetime revenue ${paid}`);
  const tokens = input.usageTokens ?? 0;
  award(tier(tokens, [[10_000_000, 10]]), `${tokens} AI tokens used`);

  const riskReasons: string[] = ['+10 baseline'];
  let risk = 10;
  const flag = (n: number, why: string) => {
    risk += n;
    riskReasons.push(`+${n} ${why}`);
  };
  if (input.country && HIGH_RISK_COUNTRIES.includes(input.country)) flag(50, `country ${input.country} is on the high-risk list`);
  const domain = input.email?.split('@')[1];
  if (input.kind !== 'individual' && domain && FREE_EMAIL_DOMAINS.includes(domain)) flag(15, `business uses a free email domain (${domain})`);
  if (!input.phone) flag(10, 'no phone number');
  if (input.tenureDays < 30) flag(15, 'customer for less than 30 days');

  const segment = segmentFor(points);
  return { segment, segmentPoints: points, segmentReasons: [...segmentReasons, `= ${points} points: ${segment}`], riskScore: Math.min(100, risk), riskReasons };
}
