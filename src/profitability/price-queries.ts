import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { modelPrices } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import type { ListModelPricesQuery, ListModelPriceVersionsQuery } from './contract.ts';
import { toModelPriceResource } from './present.ts';

/** The model and currency as one sortable key: the currency is always 3 letters at the end. */
const modelKey = sql<string>`${modelPrices.model} || ' ' || ${modelPrices.currency}`;

/**
 * The price in force at `now` of each model and currency (the latest `effective_from` not
 * after now; the later version on a tie), by model, one keyset page at a time.
 */
export function listCurrentModelPrices(db: Executor, now: number, query: ListModelPricesQuery) {
  const inForce = sql`${modelPrices.id} = (select m2.id from model_prices m2 where m2.model = ${modelPrices.model} and m2.currency = ${modelPrices.currency} and m2.effective_from <= ${now} order by m2.effective_from desc, m2.version desc limit 1)`;
  return listPage(db.select().from(modelPrices).$dynamic(), query, {
    key: modelKey,
    keyOf: (r) => `${r.model} ${r.currency}`,
    order: 'asc',
    where: [inForce, filterBy(modelPrices.currency, query.currency)],
    present: (rows) => rows.map(toModelPriceResource),
  });
}

/** Every version of a model's price, in every currency, oldest first. 404 when the model has none. */
export async function listModelPriceVersions(db: Executor, model: string, query: ListModelPriceVersionsQuery) {
  const [any] = await db.select({ id: modelPrices.id }).from(modelPrices).where(eq(modelPrices.model, model)).limit(1);
  if (!any) throw notFound('Model price of', model);
  return listPage(db.select().from(modelPrices).$dynamic(), query, {
    key: modelPrices.id,
    keyOf: (r) => r.id,
    order: 'asc',
    where: [eq(modelPrices.model, model)],
    present: (rows) => rows.map(toModelPriceResource),
  });
}
