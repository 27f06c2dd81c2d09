import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { apiKeys, invoices, payments, subscriptions } from '../../db/schema/index.ts';

/** Kinds of resource whose owning customer is looked up by id. */
export const ownedKinds = ['subscription', 'invoice', 'payment', 'api_key'] as const;
export type OwnedKind = (typeof ownedKinds)[number];

const TABLES = { subscription: subscriptions, invoice: invoices, payment: payments, api_key: apiKeys } as const satisfies Record<OwnedKind, unknown>;

/** The customer a subscription, invoice, payment or API key belongs to (a platform key: none); undefined when there is no such resource. */
export async function ownerOf(db: Executor, kind: OwnedKind, id: string): Promise<string | undefined> {
  const table = TABLES[kind];
  const [row] = await db.select({ customerId: table.customerId }).from(table).where(eq(table.id, id));
  return row?.customerId ?? undefined;
}
