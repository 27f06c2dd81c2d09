import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CouponResource, DiscountResource } from '../src/coupons/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/**
 * Coupons through the API and the billing pass, on a manual clock. Figures by hand
 * (tax 19 %, rounded half up on each invoice's subtotal):
 *
 *   Pro 99.00 EUR/month, 1,000,000 tokens included, 1.00 EUR per 1,000 over; LAUNCH 12.5 % for 3 periods
 *   #1 Jan 1  fee 9900, discount −round(1237.5) = −1238 → 8662, tax round(1645.78) = 1646 → 10308
 *   #2 Feb 1  fee 9900 + overage round(250,505 × 100 / 1000 = 25,050.5) = 25051 → 34951,
 *             discount −round(4368.875) = −4369 → 30582, tax round(5810.58) = 5811 → 36393
 *   #3 Mar 1  as #1 → 10308; the discount ends (discount.ended)
 *   #4 Apr 1  9900, tax 1881 → 11781: full price
 *
 *   Starter 29.00 EUR/month; BIGFIVE 50.00 EUR once: #1 −2900 (clamped) → 0 due, paid at once; #2 2900 + 551 = 3451
 */
const at = (month: number, day: number) => Date.UTC(2026, month - 1, day);
const iso = (ms: number) => new Date(ms).toISOString();
const clock = manualClock(at(1, 1));
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: createSandboxProvider() } });
  f = billingFixtures(p);
});
afterAll(() => p.close());

const coupon = (body: Record<string, unknown>) => f.ok<CouponResource>('POST', '/v1/coupons', { name: 'A coupon', ...body }, 201);
const refusal = async (method: string, path: string, body: unknown) => {
  const res = await p.call<Problem>(method, path, { body });
  return { status: res.status, reason: res.body.reason, fields: res.body.errors?.map((e) => e.field) };
};
const figures = async (subscriptionId: string) =>
  (await f.invoices(`subscription_id=${subscriptionId}`)).map((i) => ({
    period: i.period_start.slice(0, 10),
    lines: i.lines.map((l) => [l.kind, l.amount]),
    subtotal: i.subtotal,
    tax: i.tax,
    total: i.total,
    due: i.amount_due,
    status: i.status,
  }));

describe('coupons on invoices', () => {
  test('12.5 % for 3 periods: three discounted invoices (usage overage included), then full price', async () => {
    clock.set(at(1, 1));
    const pro = await f.plan({ name: 'Pro', price_amount: 9900, included_tokens: 1_000_000, overage_price_per_1k: 100 });
    const launch = await coupon({ code: 'launch', name: 'Launch', percent_off_bps: 1250, duration: 'repeating', duration_periods: 3 });
    expect(launch).toMatchObject({ code: 'LAUNCH', percent_off_bps: 1250, amount_off: null, duration: 'repeating', duration_periods: 3, times_redeemed: 0, status: 'active' });
    const customer = await f.customer({ tax_rate_bps: 1900, payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: pro.id, trial: false, coupon: 'Launch' });
    await f.cycle();

    clock.set(at(1, 20));
    await f.ok('POST', '/v1/usage', { records: [{ id: 'u-1', customer_id: customer.id, model: 'gpt-x', tokens: 1_250_505, occurred_at: iso(at(1, 19)) }] });
    for (const month of [2, 3, 4]) {
      clock.set(at(month, 1));
      await f.cycle();
    }

    const description = 'Coupon LAUNCH (Launch): 12.5 % off';
    expect(await figures(sub.id)).toEqual([
      { period: '2026-01-01', lines: [['subscription_fee', 9900], ['discount', -1238]], subtotal: 8662, tax: 1646, total: 10308, due: 10308, status: 'paid' },
      { period: '2026-02-01', lines: [['subscription_fee', 9900], ['usage_overage', 25051], ['discount', -4369]], subtotal: 30582, tax: 5811, total: 36393, due: 36393, status: 'paid' },
      { period: '2026-03-01', lines: [['subscription_fee', 9900], ['discount', -1238]], subtotal: 8662, tax: 1646, total: 10308, due: 10308, status: 'paid' },
      { period: '2026-04-01', lines: [['subscription_fee', 9900]], subtotal: 9900, tax: 1881, total: 11781, due: 11781, status: 'paid' },
    ]);
    const invoices = await f.invoices(`subscription_id=${sub.id}`);
    expect(invoices[0]!.lines[1]!.description).toBe(description);

    const discount = await f.ok<DiscountResource>('GET', `/v1/subscriptions/${sub.id}/discount`);
    expect(discount).toMatchObject({ status: 'ended', periods_applied: 3, periods_remaining: 0, ended_at: iso(at(3, 1)), coupon: { code: 'LAUNCH', times_redeemed: 1 } });
    const events = (await f.eventsOf(sub.id)).map((e) => e.type).filter((t) => t.startsWith('discount.'));
    expect(events).toEqual(['discount.applied', 'discount.ended']);
    const [ended] = await f.eventTypes('discount.ended');
    expect(ended!.data).toMatchObject({ invoice_id: invoices[2]!.id, discount: { coupon_code: 'LAUNCH', periods_applied: 3, periods_remaining: 0, status: 'ended' } });
  });

  test('a fixed amount larger than the fee is clamped: nothing due, paid at once; then full price', async () => {
    clock.set(at(1, 1));
    const starter = await f.plan({ name: 'Starter', price_amount: 2900 });
    await coupon({ code: 'BIGFIVE', name: 'Fifty off', amount_off: 5000, currency: 'eur', duration: 'once' });
    const customer = await f.customer({ tax_rate_bps: 1900, payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: starter.id, trial: false, coupon: 'BIGFIVE' });
    expect(sub.status).toBe('active');
    clock.set(at(2, 1));
    await f.cycle();
    expect(await figures(sub.id)).toEqual([
      { period: '2026-01-01', lines: [['subscription_fee', 2900], ['discount', -2900]], subtotal: 0, tax: 0, total: 0, due: 0, status: 'paid' },
      { period: '2026-02-01', lines: [['subscription_fee', 2900]], subtotal: 2900, tax: 551, total: 3451, due: 3451, status: 'paid' },
    ]);
    expect((await f.invoices(`subscription_id=${sub.id}`))[0]!.lines[1]!.description).toBe('Coupon BIGFIVE (Fifty off): 50.00 EUR off');
    expect((await f.eventsOf(sub.id)).map((e) => e.type).filter((t) => t.startsWith('discount.'))).toEqual(['discount.applied', 'discount.ended']);
  });
});

describe('proration under a discount', () => {
  test('a plan change\'s proration lines are discounted with the fee (50 % forever)', async () => {
    clock.set(at(1, 1));
    const small = await f.plan({ price_amount: 3000 });
    const large = await f.plan({ price_amount: 6000 });
    await coupon({ code: 'HALF', percent_off_bps: 5000, duration: 'forever' });
    const customer = await f.customer({ tax_rate_bps: 0, payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: small.id, trial: false, coupon: 'HALF' });
    await f.cycle();
    // Jan 17: 15 of 31 days left: credit −round(3000 × 15/31 = 1451.6) = −1452, charge +round(6000 × 15/31 = 2903.2) = 2903.
    clock.set(at(1, 17));
    await f.ok('POST', `/v1/subscriptions/${sub.id}/change-plan`, { plan_id: large.id });
    clock.set(at(2, 1));
    await f.cycle();
    // Feb 1: 6000 − 1452 + 2903 = 7451; discount −round(3725.5) = −3726 → 3725.
    expect(await figures(sub.id)).toEqual([
      { period: '2026-01-01', lines: [['subscription_fee', 3000], ['discount', -1500]], subtotal: 1500, tax: 0, total: 1500, due: 1500, status: 'paid' },
      { period: '2026-02-01', lines: [['subscription_fee', 6000], ['proration_credit', -1452], ['proration_charge', 2903], ['discount', -3726]], subtotal: 3725, tax: 0, total: 3725, due: 3725, status: 'paid' },
    ]);
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}/discount`)).toMatchObject({ status: 'active', periods_applied: 2, periods_remaining: null });
  });
});

describe('redemption rules', () => {
  test('a plan-restricted coupon is refused on another plan, and the subscription is not created', async () => {
    clock.set(at(5, 1));
    const covered = await f.plan();
    const other = await f.plan();
    await coupon({ code: 'ONLYCOVERED', percent_off_bps: 1000, duration: 'forever', applies_to_plans: [covered.id] });
    const customer = await f.customer({ payment_method: 'tok_ok' });
    expect(await refusal('POST', '/v1/subscriptions', { customer_id: customer.id, plan_id: other.id, trial: false, coupon: 'ONLYCOVERED' })).toEqual({ status: 409, reason: 'plan_not_covered', fields: ['coupon'] });
    expect((await f.ok<Page<SubscriptionResource>>('GET', `/v1/customers/${customer.id}/subscriptions`)).data).toEqual([]);
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: covered.id, trial: false, coupon: 'ONLYCOVERED' });
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}/discount`)).toMatchObject({ status: 'active', periods_remaining: null });
  });

  test('expiry by the clock, archive, currency, unknown code, one discount at a time, removal', async () => {
    clock.set(at(5, 1));
    const plan = await f.plan({ trial_days: 14 });
    await coupon({ code: 'SPRING', percent_off_bps: 500, duration: 'once', redeem_by: iso(at(5, 10)) });
    await coupon({ code: 'DOLLARS', amount_off: 500, currency: 'USD', duration: 'once' });
    const archived = await coupon({ code: 'OLD', percent_off_bps: 500, duration: 'once' });
    expect(await f.ok('POST', `/v1/coupons/${archived.id}/archive`)).toMatchObject({ status: 'archived' });
    expect((await p.call('POST', `/v1/coupons/${archived.id}/archive`)).status).toBe(409);
    const customer = await f.customer({ payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
    const path = `/v1/subscriptions/${sub.id}/discount`;

    expect(await refusal('POST', path, { coupon: 'NOPE' })).toEqual({ status: 400, reason: undefined, fields: ['coupon'] });
    expect(await refusal('POST', path, { coupon: 'OLD' })).toEqual({ status: 409, reason: 'archived', fields: ['coupon'] });
    expect(await refusal('POST', path, { coupon: 'DOLLARS' })).toEqual({ status: 409, reason: 'currency_mismatch', fields: ['coupon'] });
    clock.set(at(5, 10));
    expect(await refusal('POST', path, { coupon: 'SPRING' })).toEqual({ status: 409, reason: 'expired', fields: ['coupon'] });
    clock.set(at(5, 9));
    expect(await f.ok<DiscountResource>('POST', path, { coupon: 'spring' }, 201)).toMatchObject({ status: 'active', periods_applied: 0, periods_remaining: 1 });
    expect(await refusal('POST', path, { coupon: 'SPRING' })).toEqual({ status: 409, reason: 'already_discounted', fields: ['coupon'] });

    expect(await f.ok('DELETE', path)).toMatchObject({ status: 'removed', removed_at: iso(at(5, 9)) });
    expect((await p.call('DELETE', path)).status).toBe(404);
    // Removed before the trial ended: the first invoice is at full price.
    clock.set(at(5, 23));
    await f.cycle();
    const [first] = await f.invoices(`subscription_id=${sub.id}`);
    expect(first!.lines.map((l) => l.kind)).toEqual(['subscription_fee']);
    expect((await f.eventsOf(sub.id)).map((e) => e.type).filter((t) => t.startsWith('discount.'))).toEqual(['discount.applied', 'discount.removed']);
  });

  test('parallel redemptions of the last one let exactly one through', async () => {
    clock.set(at(6, 1));
    const plan = await f.plan({ trial_days: 14 });
    const limited = await coupon({ code: 'LASTONE', percent_off_bps: 1000, duration: 'once', max_redemptions: 2 });
    const subs: SubscriptionResource[] = [];
    for (let i = 0; i < 6; i++) subs.push(await f.subscribe({ customer_id: (await f.customer({ payment_method: 'tok_ok' })).id, plan_id: plan.id }));
    await f.ok('POST', `/v1/subscriptions/${subs[0]!.id}/discount`, { coupon: 'LASTONE' }, 201);

    const answers = await Promise.all(subs.slice(1).map((s) => p.call<Problem>('POST', `/v1/subscriptions/${s.id}/discount`, { body: { coupon: 'LASTONE' } })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => [a.status, a.body.reason])).toEqual(Array(4).fill([409, 'redemption_limit_reached']));
    expect(await f.ok('GET', `/v1/coupons/${limited.id}`)).toMatchObject({ times_redeemed: 2, max_redemptions: 2 });
    expect(await f.eventTypes('discount.applied').then((list) => list.filter((e) => e.data.coupon.code === 'LASTONE'))).toHaveLength(2);
  });
});

describe('coupon administration', () => {
  test('create validates across fields, lists by cursor, and emits and audits', async () => {
    clock.set(at(7, 1));
    expect(await refusal('POST', '/v1/coupons', { code: 'BAD', name: 'x', duration: 'repeating' })).toEqual({ status: 400, reason: undefined, fields: ['percent_off_bps', 'duration_periods'] });
    expect(await refusal('POST', '/v1/coupons', { code: 'BAD', name: 'x', percent_off_bps: 10_001, duration: 'once' })).toMatchObject({ status: 400, fields: ['percent_off_bps'] });
    const made = await coupon({ code: 'LISTME', percent_off_bps: 100, duration: 'once' });
    expect((await p.call('POST', '/v1/coupons', { body: { code: 'listme', name: 'dup', percent_off_bps: 100, duration: 'once' } })).status).toBe(409);
    const page = await f.ok<Page<CouponResource>>('GET', '/v1/coupons?limit=1');
    expect(page.data[0]!.id).toBe(made.id);
    expect(page.has_more).toBe(true);
    const next = await f.ok<Page<CouponResource>>('GET', `/v1/coupons?limit=1&cursor=${page.next_cursor}`);
    expect(next.data[0]!.id).not.toBe(made.id);
    expect((await f.ok<Page<CouponResource>>('GET', '/v1/coupons?code=listme')).data.map((c) => c.id)).toEqual([made.id]);
    expect((await f.eventsOf(made.id)).map((e) => e.type)).toEqual(['coupon.created']);
    const audit = await f.ok<Page<{ action: string; target_id: string }>>('GET', `/v1/audit?target_id=${made.id}`);
    expect(audit.data.map((a) => a.action)).toEqual(['coupon.create']);
  });
});
