import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { walletEntryKinds } from '../../db/schema/index.ts';
import { realTimestamp } from '../kernel/iso-time.ts';
import { singleLine, maxChars } from '../kernel/text.ts';

/** Minor units of the wallet's currency: a whole number, never a float. */
const amount = v.pipe(v.number('must be a number'), v.safeInteger('must be a whole number of minor units'), v.minValue(1, 'must be at least 1'), v.maxValue(1_000_000_000_000, 'must be at most 1,000,000,000,000'));
const currency = v.pipe(v.string('must be a string'), v.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'));

export const grantCreditInput = v.strictObject({
  amount,
  currency,
  /** From this time what is left of the grant expires (the billing pass writes the `expired` entry). */
  expires_at: v.optional(realTimestamp('must be an ISO 8601 time')),
  description: v.optional(v.pipe(v.string(), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(500, 'must be at most 500 characters'))),
});
export type GrantCreditInput = v.InferOutput<typeof grantCreditInput>;

export const topUpInput = v.strictObject({ amount, currency });
export type TopUpInput = v.InferOutput<typeof topUpInput>;

export const autoTopUpInput = v.strictObject({
  enabled: v.boolean('must be true or false'),
  /** A top-up starts when the balance falls under this (0 never starts one). */
  threshold: v.pipe(v.number('must be a number'), v.safeInteger('must be a whole number of minor units'), v.minValue(0, 'must be at least 0'), v.maxValue(1_000_000_000_000, 'must be at most 1,000,000,000,000')),
  amount,
  /** The wallet's currency; by default the customer's billing currency (409 while it has none). */
  currency: v.optional(currency),
});
export type AutoTopUpInput = v.InferOutput<typeof autoTopUpInput>;

export const listWalletEntriesQuery = v.object({ ...pageQuery, currency: v.optional(currency) });
export type ListWalletEntriesQuery = v.InferOutput<typeof listWalletEntriesQuery>;

export const walletEntryResource = v.object({
  id: v.string(),
  object: v.literal('wallet_entry'),
  customer_id: v.string(),
  currency: v.string(),
  kind: v.picklist(walletEntryKinds),
  /** Signed minor units: credits positive, draws and expiry negative. */
  amount: v.number(),
  /** What is left of a credit entry after draws and expiry; null for debits. */
  remaining: v.nullable(v.number()),
  expires_at: v.nullable(v.string()),
  invoice_id: v.nullable(v.string()),
  /** For `expired`: the grant it expired. */
  source_id: v.nullable(v.string()),
  description: v.string(),
  created_at: v.string(),
});
export type WalletEntryResource = v.InferOutput<typeof walletEntryResource>;

export const walletResource = v.object({
  object: v.literal('wallet'),
  customer_id: v.string(),
  balances: v.array(
    v.object({
      currency: v.string(),
      /** Σ ledger entries, minor units. */
      balance: v.number(),
      auto_top_up: v.object({ enabled: v.boolean(), threshold: v.number(), amount: v.number() }),
      /** Grants with credit left that will expire, soonest first. */
      expiring: v.array(v.object({ entry_id: v.string(), remaining: v.number(), expires_at: v.string() })),
    }),
  ),
});
export type WalletResource = v.InferOutput<typeof walletResource>;
