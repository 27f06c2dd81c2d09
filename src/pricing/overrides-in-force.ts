import { desc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { subscriptionPriceOverrides, type StoredCharge } from '../../db/schema/index.ts';

/** The negotiated prices in force for a subscription: its latest override version, or none. */
export async function overridesInForce(db: Executor, subscriptionId: string): Promise<{ charges: StoredCharge[]; seatPrice: number | null; version: number } | null> {
  const [row] = await db
    .select()
    .from(subscriptionPriceOverrides)
    .where(eq(subscriptionPriceOverrides.subscriptionId, subscriptionId))
    .orderBy(desc(subscriptionPriceOverrides.version))
    .limit(1);
  return row ? { charges: row.charges, seatPrice: row.seatPrice, version: row.version } : null;
}
