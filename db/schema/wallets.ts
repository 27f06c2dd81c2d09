import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';
import { customers } from './customers.ts';

/** Entries that put money in a wallet (positive) and those that take it out (negative). */
export const walletCreditKinds = ['top_up', 'grant', 'invoice_voided'] as const;
export const walletDebitKinds = ['invoice_drawn', 'expired'] as const;
export const walletEntryKinds = [...walletCreditKinds, ...walletDebitKinds] as const;

/**
 * A customer's prepaid wallet in one currency, with its auto top-up settings:
 * when the balance falls under `auto_top_up_threshold`, a top-up of
 * `auto_top_up_amount` is started (one at a time). Amounts are minor units.
 */
export const wallets = sqliteTable(
  'wallets',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    currency: text('currency').notNull(),
    autoTopUpEnabled: integer('auto_top_up_enabled', { mode: 'boolean' }).notNull().default(false),
    autoTopUpThreshold: integer('auto_top_up_threshold').notNull().default(0),
    autoTopUpAmount: integer('auto_top_up_amount').notNull().default(0),
    ...timestamps,
  },
  (t) => [uniqueIndex('wallets_customer_currency').on(t.customerId, t.currency)],
);

/**
 * The wallet's ledger, signed minor units: the balance is the sum of its entries.
 * A credit entry (top_up, grant, invoice_voided) also keeps `remaining`, what is
 * left of it after draws and expiry; invariant: Σ remaining = Σ amount = balance.
 * Debits (invoice_drawn, expired) have `remaining` null.
 */
export const walletEntries = sqliteTable(
  'wallet_entries',
  {
    id: text('id').primaryKey(),
    walletId: text('wallet_id').notNull().references(() => wallets.id),
    customerId: text('customer_id').notNull().references(() => customers.id),
    currency: text('currency').notNull(),
    kind: text('kind', { enum: walletEntryKinds }).notNull(),
    amount: integer('amount').notNull(),
    remaining: integer('remaining'),
    /** A grant's credit is expired (what is left of it) from this time on; null never expires. */
    expiresAt: timestamp('expires_at'),
    invoiceId: text('invoice_id'),
    /** For an `expired` entry, the grant it expired. */
    sourceId: text('source_id'),
    description: text('description').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    index('wallet_entries_customer').on(t.customerId, t.id),
    index('wallet_entries_wallet_open').on(t.walletId, t.expiresAt).where(sql`remaining > 0`),
    index('wallet_entries_expiring').on(t.expiresAt).where(sql`remaining > 0`),
    index('wallet_entries_invoice').on(t.invoiceId),
  ],
);

/** Which credit entries an `invoice_drawn` entry took from, so voiding the invoice gives each its part back. */
export const walletDraws = sqliteTable(
  'wallet_draws',
  {
    debitId: text('debit_id').notNull().references(() => walletEntries.id),
    creditId: text('credit_id').notNull().references(() => walletEntries.id),
    amount: integer('amount').notNull(),
  },
  (t) => [index('wallet_draws_debit').on(t.debitId)],
);
