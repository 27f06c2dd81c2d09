import { and, asc, eq, gt, isNotNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { walletEntries, wallets } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import type { ListWalletEntriesQuery, WalletResource } from './contract.ts';
import { loadCustomer } from '../customers/load.ts';
import { walletBalance } from './ledger.ts';
import { toWalletEntryResource } from './present.ts';

/** The customer's wallets: balance per currency, auto top-up settings and the grants that will expire (404 for an unknown customer). */
export async function getWallet(db: Executor, customerId: string): Promise<WalletResource> {
  await loadCustomer(db, customerId);
  const rows = await db.select().from(wallets).where(eq(wallets.customerId, customerId)).orderBy(asc(wallets.currency));
  const balances = [];
  for (const w of rows) {
    const expiring = await db
      .select()
      .from(walletEntries)
      .where(and(eq(walletEntries.walletId, w.id), gt(walletEntries.remaining, 0), isNotNull(walletEntries.expiresAt)))
      .orderBy(asc(walletEntries.expiresAt), asc(walletEntries.id));
    balances.push({
      currency: w.currency,
      balance: await walletBalance(db, w.id),
      auto_top_up: { enabled: w.autoTopUpEnabled, threshold: w.autoTopUpThreshold, amount: w.autoTopUpAmount },
      expiring: expiring.map((e) => ({ entry_id: e.id, remaining: e.remaining!, expires_at: toIso(e.expiresAt!) })),
    });
  }
  return { object: 'wallet', customer_id: customerId, balances };
}

/** The customer's wallet ledger, newest first, one keyset page at a time; filter by `currency`. */
export async function listWalletEntries(db: Executor, customerId: string, query: ListWalletEntriesQuery) {
  await loadCustomer(db, customerId);
  const where = [eq(walletEntries.customerId, customerId), filterBy(walletEntries.currency, query.currency)];
  return listPage(db.select().from(walletEntries).$dynamic(), query, { key: walletEntries.id, keyOf: (r) => r.id, where, present: (rows) => rows.map(toWalletEntryResource) });
}
