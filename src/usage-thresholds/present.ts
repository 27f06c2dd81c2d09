import { usageThresholds } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso } from '../kernel/clock.ts';
import type { UsageThresholdResource } from './contract.ts';

export type UsageThresholdRow = typeof usageThresholds.$inferSelect;

/** A threshold inside events. */
export const toThresholdSnapshot = (row: UsageThresholdRow): EventData<'usage_threshold.created'>['threshold'] => ({
  id: row.id,
  subscription_id: row.subscriptionId,
  metric: row.metric,
  value: row.value,
  invoice_early: row.invoiceEarly,
});

export const toThresholdResource = (row: UsageThresholdRow): UsageThresholdResource => ({
  object: 'usage_threshold',
  ...toThresholdSnapshot(row),
  set_by: row.setBy,
  created_at: toIso(row.createdAt),
  deleted_at: row.deletedAt === null ? null : toIso(row.deletedAt),
});
