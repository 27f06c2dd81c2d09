import { desc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { subscriptionPriceOverrides } from '../../db/schema/index.ts';

/** The negotiated prices in force for a subscription: its latest override version, or none. */
export async function overridesInForce(db: Executor, subscriptionId: string): Promise<typeof subscriptionPriceOverrides.$inferSelect | null> {
  const [row] = await db
    .select()
    .from(subscriptionPriceOverrides)
    .where(eq(subscriptionPriceOverrides.subscriptionId, subscriptionId))
    .orderBy(desc(subscriptionPriceOverrides.version))
    .limit(1);
  return row ?? null;
}
