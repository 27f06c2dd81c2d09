import { eq, isNotNull, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { deadLetters } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import type { ListDeadLettersQuery } from './contract.ts';
import { toDeadLetterResource, type DeadLetterRow } from './present.ts';

export async function loadDeadLetter(db: Executor, id: string): Promise<DeadLetterRow> {
  const [row] = await db.select().from(deadLetters).where(eq(deadLetters.id, id));
  if (!row) throw notFound('Dead letter', id);
  return row;
}

/** One dead letter. */
export async function getDeadLetter(db: Executor, id: string) {
  return toDeadLetterResource(await loadDeadLetter(db, id));
}

/** Dead letters newest first, filtered by consumer group and by whether they were replayed, one keyset page at a time. */
export function listDeadLetters(db: Executor, query: ListDeadLettersQuery) {
  const state = query.state === 'waiting' ? isNull(deadLetters.replayedAt) : query.state === 'replayed' ? isNotNull(deadLetters.replayedAt) : undefined;
  return listPage(db.select().from(deadLetters).$dynamic(), query, {
    key: deadLetters.id,
    keyOf: (r) => r.id,
    where: [filterBy(deadLetters.consumer, query.group), state],
    present: (rows) => rows.map(toDeadLetterResource),
  });
}
