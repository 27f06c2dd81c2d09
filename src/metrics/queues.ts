import { isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { outbox } from '../../db/schema/index.ts';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../kernel/clock.ts';
import type { GroupGauge, OutboxGauge } from '../kernel/metrics.ts';

/** Each consumer group's lag and dead letters as the bus reports them. */
export async function readGroups(bus: Bus): Promise<GroupGauge[]> {
  return (await bus.groups()).map((g) => ({ group: g.group, lag: g.lag, deadLetters: g.deadLetters }));
}

/** Unpublished outbox rows and the age of the oldest (read through the partial index on unpublished rows). */
export async function readOutbox(db: Db, clock: Clock): Promise<OutboxGauge> {
  const [row] = await db.select({ depth: sql<number>`count(*)`, oldest: sql<number | null>`min(${outbox.time})` }).from(outbox).where(isNull(outbox.publishedAt));
  const oldest = row?.oldest ?? null;
  return { depth: Number(row?.depth ?? 0), oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (clock.now() - Number(oldest)) / 1000) };
}
