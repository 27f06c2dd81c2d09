import type { Config } from '../config.ts';

/** What recording usage needs from the configuration. */
export interface UsageSettings {
  /** How far ahead of the clock a record's `occurred_at` may be (a reporter's clock may run fast). */
  clockSkewMs: number;
}

export const usageSettings = (config: Pick<Config, 'usage'>): UsageSettings => ({ clockSkewMs: config.usage.clockSkewMs });
