import type { PlanInterval } from '../plans/terms.ts';
import { periodContaining } from '../subscriptions/periods.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';

/**
 * The periods usage counts in. A subscription with a trial has the trial
 * [created, trial end) as a period of its own (counted, never billed), then its
 * billing periods from the anchor (the trial's end); without a trial the anchor is
 * its creation. A period closes when billing moves the subscription past it: at a
 * period's end the renewal drafts the invoice that takes the period's overage (in
 * arrears, src/billing/renewal.ts), and a draft's lines never change afterwards, so
 * a later record could never be billed. The open periods are the current one and
 * any after it.
 */
export interface UsagePeriod {
  start: number;
  end: number;
  trial: boolean;
}

type PeriodFacts = Pick<SubscriptionRow, 'anchor' | 'createdAt' | 'trialEnd'>;

/** The period containing `at`, or null before the subscription began. */
export function usagePeriodAt(sub: PeriodFacts, interval: PlanInterval, at: number): UsagePeriod | null {
  if (at >= sub.anchor) {
    const { start, end } = periodContaining(sub.anchor, interval, at);
    return { start, end, trial: false };
  }
  if (sub.trialEnd !== null && at >= sub.createdAt) return { start: sub.createdAt, end: sub.trialEnd, trial: true };
  return null;
}

/** Whether billing has already taken the period's usage (it starts before the subscription's current period). */
export const isPeriodClosed = (sub: Pick<SubscriptionRow, 'currentPeriodStart'>, period: Pick<UsagePeriod, 'start'>): boolean =>
  period.start < sub.currentPeriodStart;
