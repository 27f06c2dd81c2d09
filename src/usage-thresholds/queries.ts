import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { listPage } from '../../db/paging.ts';
import { usageThresholds } from '../../db/schema/index.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import type { ListUsageThresholdsQuery } from './contract.ts';
import { toThresholdResource } from './present.ts';

/** A subscription's thresholds that are not deleted (404 for an unknown subscription), oldest first. */
export async function listUsageThresholds(db: Executor, subscriptionId: string, query: ListUsageThresholdsQuery) {
  await loadSubscription(db, subscriptionId);
  return listPage(db.select().from(usageThresholds).$dynamic(), query, {
    key: usageThresholds.id,
    keyOf: (r) => r.id,
    order: 'asc',
    where: [eq(usageThresholds.subscriptionId, subscriptionId), isNull(usageThresholds.deletedAt)],
    present: (rows) => rows.map(toThresholdResource),
  });
}
