import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers, users } from '../../db/schema/index.ts';

/** A customer that can still be told something: null when it is unknown or erased (its addresses are gone). */
export async function notifiableCustomer(db: Executor, customerId: string) {
  const [current] = await db.select().from(customers).where(eq(customers.id, customerId));
  return current && current.status !== 'erased' ? current : null;
}

/** The customer's first active owner (by id), who is told what a person must act on; undefined when it has none. */
export async function firstActiveOwner(db: Executor, customerId: string) {
  const [owner] = await db
    .select({ email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.customerId, customerId), eq(users.role, 'owner'), eq(users.status, 'active')))
    .orderBy(asc(users.id))
    .limit(1);
  return owner;
}
