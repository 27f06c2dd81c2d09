import { eq } from 'drizzle-orm';
import type * as v from 'valibot';
import type { Executor } from '../../db/client.ts';
import { listPage } from '../../db/paging.ts';
import { operators } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import { toOperatorResource } from './present.ts';
import type { listOperatorsQuery } from './contract.ts';

/** Operators newest first, one keyset page at a time. */
export function listOperators(db: Executor, query: v.InferOutput<typeof listOperatorsQuery>) {
  return listPage(db.select().from(operators).$dynamic(), query, { key: operators.id, keyOf: (r) => r.id, present: (rows) => rows.map(toOperatorResource) });
}

/** One operator by id, or not_found. */
export async function getOperator(db: Executor, id: string) {
  const [row] = await db.select().from(operators).where(eq(operators.id, id));
  if (!row) throw notFound('Operator', id);
  return toOperatorResource(row);
}
