import { and, count, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import { busLog, consumerPositions } from '../db/schema/index.ts';
import type { Deps } from '../src/deps.ts';
import type { Ctx } from '../src/kernel/context.ts';
import { UsageError } from './cli-support.ts';

export interface ReplayResult {
  group: string;
  previous: number;
  position: number;
  /** Events of the group's types after the new position: what the group will be handed again (or for the first time). */
  again: number;
}

/**
 * Sets an embedded-bus consumer group's position back so it is handed the log again from
 * offset `from` on. The group's inbox absorbs the events it already applied, so effects happen
 * once. A running worker takes it up (src/bus/embedded.ts: a caught-up cursor reads its stored
 * position, and commits only over the one it last stored). On Kafka the offsets live in the
 * broker: reset them with Kafka's tools.
 */
export async function replayEvents(ctx: Ctx, deps: Deps, input: { group: string; from: number }): Promise<ReplayResult> {
  if (deps.config.bus !== 'embedded') {
    throw new UsageError(
      `the ${deps.bus.name} bus keeps its offsets in Kafka: reset the group with Kafka's tools, e.g. ` +
        `kafka-consumer-groups.sh --bootstrap-server … --group ${input.group} --reset-offsets --to-offset … --execute`,
    );
  }
  const [row] = await ctx.db.select().from(consumerPositions).where(eq(consumerPositions.group, input.group));
  if (!row) {
    const known = (await ctx.db.select({ group: consumerPositions.group }).from(consumerPositions)).map((r) => r.group);
    throw new UsageError(`no consumer group ${input.group} (known: ${known.join(', ') || 'none yet'})`);
  }
  const position = Math.max(0, input.from - 1);
  if (position > row.position) throw new UsageError(`group ${input.group} is at position ${row.position}: --from ${input.from} is ahead of it (replay only moves back)`);
  await ctx.transactor.write((tx) =>
    tx.update(consumerPositions).set({ position, updatedAt: ctx.clock.now() }).where(eq(consumerPositions.group, input.group)),
  );
  const [again] = await ctx.db
    .select({ n: count() })
    .from(busLog)
    .where(and(gt(busLog.offset, position), inArray(busLog.type, row.types), or(isNull(busLog.targetGroup), eq(busLog.targetGroup, input.group))));
  ctx.logger.info('events replay', { group: input.group, from: row.position, to: position });
  return { group: input.group, previous: row.position, position, again: again?.n ?? 0 };
}
