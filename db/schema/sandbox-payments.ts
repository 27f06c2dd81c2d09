import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';

export const sandboxOperationKinds = ['charge', 'refund'] as const;
export const sandboxOutcomes = ['succeeded', 'declined', 'refunded', 'no_charge'] as const;

/**
 * What the built-in sandbox payment provider (src/payments/sandbox.ts) has answered, so it
 * survives a restart as a real processor's records do: one row per charge or refund
 * idempotency key, holding the first answer. `seq` numbers the references (`sbx_ch_<seq>`,
 * `sbx_re_<seq>`), so no two operations share one, across restarts and processes.
 */
export const sandboxPaymentOperations = sqliteTable(
  'sandbox_payment_operations',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: sandboxOperationKinds }).notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    outcome: text('outcome', { enum: sandboxOutcomes }).notNull(),
    /** `sbx_ch_…` for a charge taken, `sbx_re_…` for a refund made; null for a decline or nothing to refund. */
    reference: text('reference'),
    declineCode: text('decline_code'),
    declineMessage: text('decline_message'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    /** A charge's description; a refund's reason. */
    description: text('description').notNull(),
    /** A refund: the idempotency key of the charge it reverses. */
    chargeKey: text('charge_key'),
    /** A charge taken: whether it was refunded since. */
    refunded: integer('refunded', { mode: 'boolean' }).notNull().default(false),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('sandbox_payment_operations_key').on(t.kind, t.idempotencyKey)],
);
