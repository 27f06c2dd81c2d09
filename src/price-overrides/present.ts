import type { InferSelectModel } from 'drizzle-orm';
import type { StoredCharge, subscriptionPriceOverrides } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import type { PriceOverrideResource } from './contract.ts';

export type PriceOverrideRow = InferSelectModel<typeof subscriptionPriceOverrides>;

/** A version of a subscription's negotiated prices; `currency` is the subscription's. */
export function toPriceOverrideResource(row: PriceOverrideRow, currency: string, effective?: StoredCharge[]): PriceOverrideResource {
  return {
    object: 'price_override',
    subscription_id: row.subscriptionId,
    version: row.version,
    charges: row.charges,
    seat_price: row.seatPrice === null ? null : { amount: row.seatPrice, currency },
    note: row.note,
    created_by: row.createdBy,
    created_at: toIso(row.createdAt),
    ...(effective ? { effective_charges: effective } : {}),
  };
}
