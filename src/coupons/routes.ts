import { Hono } from 'hono';
import { pageSchema } from '../../db/paging.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { subscriptionParams } from '../subscriptions/contract.ts';
import { archiveCoupon } from './archive.ts';
import { applyDiscountInput, couponParams, couponResource, createCouponInput, discountResource, listCouponsQuery } from './contract.ts';
import { createCoupon } from './create.ts';
import { getCoupon, getSubscriptionDiscount, listCoupons } from './queries.ts';
import { applyDiscount } from './redeem.ts';
import { removeDiscount } from './remove.ts';

const tags = ['Coupons'];
const coupon = { status: 200, description: 'The coupon', schema: couponResource };
const discount = { status: 200, description: 'The discount', schema: discountResource };
const terms =
  'Exactly one of `percent_off_bps` (1–10,000; 2000 = 20 %) or `amount_off` with `currency` (minor units). `duration`: `once` (the first invoice after redemption), `repeating` (`duration_periods` billing periods) or `forever`. `applies_to_plans` (plan ids; absent: every plan), `max_redemptions` and `redeem_by` limit redemptions.';
const onInvoices =
  'On each invoice it covers, a negative `discount` line follows the fee, proration and usage lines, before tax: percent = round_half_up(Σ those lines × bps / 10,000), fixed = min(amount_off, Σ those lines); never below zero.';
const refusals =
  'Refused naming `coupon`: an unknown code (400); an archived or expired coupon, its redemption limit reached, a plan it does not cover, a fixed amount in another currency, or a subscription that already has a discount (409, with `reason`).';

/** /v1/coupons: operator-managed coupons; archived instead of deleted. */
export function couponRoutes() {
  const app = new Hono<AppEnv>();

  app.post(
    '/',
    doc({ summary: 'Create a coupon', description: `Creates an \`active\` coupon; \`code\` (upper-cased) is unique for good. ${terms} Emits \`coupon.created\`.`, tags, access: 'operator', tenant: 'none', success: { ...coupon, status: 201, description: 'Created' }, errors: [409], idempotent: true }),
    validate('json', createCouponInput),
    (c) => runCommand(c, 201, (ctx) => createCoupon(ctx, c.req.valid('json'))),
  );

  app.get(
    '/',
    doc({ summary: 'List coupons', description: 'Newest first; filter by `status` or `code`. Pass `next_cursor` back as `cursor`.', tags, access: 'viewer', tenant: 'none', success: { status: 200, description: 'A page of coupons', schema: pageSchema(couponResource) } }),
    validate('query', listCouponsQuery),
    async (c) => c.json(await listCoupons(c.get('deps').db, c.req.valid('query'))),
  );

  app.get(
    '/:id',
    doc({ summary: 'Get a coupon', description: 'The coupon with `times_redeemed`.', tags, access: 'viewer', tenant: 'none', success: coupon, errors: [404] }),
    validate('param', couponParams),
    async (c) => c.json(await getCoupon(c.get('deps').db, c.req.valid('param').id)),
  );

  app.post(
    '/:id/archive',
    doc({ summary: 'Archive a coupon', description: '`active` → `archived`: no new redemptions; discounts already applied keep running. Archiving twice is a 409. Emits `coupon.archived`.', tags, access: 'operator', tenant: 'none', success: coupon, errors: [404, 409], idempotent: true }),
    validate('param', couponParams),
    (c) => runCommand(c, 200, (ctx) => archiveCoupon(ctx, c.req.valid('param').id)),
  );

  return app;
}

/** /v1/subscriptions/:id/discount: a coupon redeemed on a subscription. */
export function subscriptionDiscountRoutes() {
  const app = new Hono<AppEnv>();
  const subTags = ['Subscriptions', ...tags];

  app.get(
    '/:id/discount',
    doc({ summary: "Get a subscription's discount", description: 'The active discount, or the latest one (`ended` or `removed`); 404 when the subscription never had one.', tags: subTags, access: 'viewer', scope: 'subscriptions:read', tenant: 'subscription', success: discount, errors: [404] }),
    validate('param', subscriptionParams),
    async (c) => c.json(await getSubscriptionDiscount(c.get('deps').db, c.req.valid('param').id)),
  );

  app.post(
    '/:id/discount',
    doc({ summary: 'Apply a coupon to a subscription', description: `Redeems \`coupon\` (a code) on the subscription. ${onInvoices} ${refusals} Emits \`discount.applied\`, and \`discount.ended\` with the invoice of its last period. Discounts are the operator's: tenants get 404.`, tags: subTags, access: 'operator', scope: 'subscriptions:write', tenant: 'none', success: { ...discount, status: 201, description: 'Applied' }, errors: [404, 409], idempotent: true }),
    validate('param', subscriptionParams),
    validate('json', applyDiscountInput),
    (c) => runCommand(c, 201, (ctx) => applyDiscount(ctx, c.req.valid('param').id, c.req.valid('json').coupon)),
  );

  app.delete(
    '/:id/discount',
    doc({ summary: "Remove a subscription's discount", description: 'Takes the active discount off: invoices drafted from now on are at full price; the redemption still counts against the coupon. 404 without an active discount. Discounts are the operator\'s: tenants get 404. Emits `discount.removed`.', tags: subTags, access: 'operator', scope: 'subscriptions:write', tenant: 'none', success: discount, errors: [404] }),
    validate('param', subscriptionParams),
    (c) => runCommand(c, 200, (ctx) => removeDiscount(ctx, c.req.valid('param').id)),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const couponMounts: Mount[] = [mount('/coupons', couponRoutes), mount('/subscriptions', subscriptionDiscountRoutes)];
