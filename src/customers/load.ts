import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import type { CustomerRow } from './present.ts';

/** Reads a customer or fails with not_found. */
export async function loadCustomer(db: Executor, id: string): Promise<CustomerRow> {
  const [row] = await db.select().from(customers).where(eq(customers.id, id));
  if (!row) throw notFound('Customer', id);
  return row;
}

/** True when a SQLite error is the live-email unique index. */
export const isDuplicateEmail = (error: unknown) => String((error as { cause?: unknown })?.cause ?? error).includes('customers.email');
