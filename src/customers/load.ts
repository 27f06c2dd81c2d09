import { and, eq, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { prepared } from '../../db/prepared.ts';
import { customers } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { conflict, DomainError, notFound } from '../kernel/errors.ts';
import { saveVersioned } from '../kernel/versioned.ts';
import type { CustomerRow } from './present.ts';

const customerById = prepared((db) => db.select().from(customers).where(eq(customers.id, sql.placeholder('id'))).prepare());

/** Reads a customer or fails with not_found. */
export async function loadCustomer(db: Executor, id: string): Promise<CustomerRow> {
  const row = await customerById(db).get({ id });
  if (!row) throw notFound('Customer', id);
  return row;
}

/**
 * The customer, unless it is erased: what belongs to an erased customer (its users, its
 * webhook endpoints) cannot change any more (invalid_transition).
 */
export async function loadLiveCustomer(ctx: TxCtx, customerId: string): Promise<CustomerRow> {
  const customer = await loadCustomer(ctx.tx, customerId);
  if (customer.status === 'erased') throw new DomainError('invalid_transition', `customer ${customerId} is erased`, { current_status: customer.status });
  return customer;
}

/**
 * Writes `changes` to the customer read as `current`, bumping its version; a 409 conflict
 * (ConcurrentUpdateError) when another writer changed it since, instead of a lost update.
 */
export const saveCustomer = (ctx: TxCtx, current: CustomerRow, changes: Partial<CustomerRow>): Promise<CustomerRow> =>
  saveVersioned(ctx, customers, 'customer', current, changes);

/** True when a SQLite error is the live-email unique index. */
export const isDuplicateEmail = (error: unknown) => String((error as { cause?: unknown })?.cause ?? error).includes('customers.email');

const emailTaken = (email: string, details: Record<string, unknown> = {}) => conflict(`a live customer already uses ${email}`, { field: 'email', ...details });

// Written as the literal the partial index `customers_email_live` is declared with, so SQLite uses it
// (a bound parameter would not match the index's WHERE, and every customer would be read).
const liveCustomer = sql`${customers.status} <> 'erased'`;

/** Fails with conflict when a live (not erased) customer other than `exceptId` already uses `email`. */
export async function assertEmailFree(db: Executor, email: string, exceptId?: string): Promise<void> {
  const [taken] = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.email, email), liveCustomer, exceptId === undefined ? undefined : ne(customers.id, exceptId)));
  if (taken) throw emailTaken(email, { existing_id: taken.id });
}

/**
 * For `.catch()` on a write of `email`: a concurrent writer can take the address
 * after `assertEmailFree`, and the unique index then answers; that becomes the
 * same conflict. Any other error is rethrown unchanged.
 */
export const rethrowDuplicateEmail =
  (email: string) =>
  (error: unknown): never => {
    throw isDuplicateEmail(error) ? emailTaken(email) : error;
  };
