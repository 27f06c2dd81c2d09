import { desc, eq, lt } from 'drizzle-orm';
import type * as v from 'valibot';
import type { Executor } from '../../db/client.ts';
import { operators } from '../../db/schema/index.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { notFound } from '../kernel/errors.ts';
import { toOperatorResource } from './commands.ts';
import type { listOperatorsQuery } from './schema.ts';

/** Operators newest first, one keyset page at a time. */
export async function listOperators(db: Executor, query: v.InferOutput<typeof listOperatorsQuery>) {
  const after = decodeCursor(query.cursor, 'string');
  const rows = await db
    .select()
    .from(operators)
    .where(after ? lt(operators.id, after) : undefined)
    .orderBy(desc(operators.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => r.id, toOperatorResource);
}

/** One operator by id, or not_found. */
export async function getOperator(db: Executor, id: string) {
  const [row] = await db.select().from(operators).where(eq(operators.id, id));
  if (!row) throw notFound('Operator', id);
  return toOperatorResource(row);
}
