import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualClock } from '../src/kernel/clock.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import type { UsageBatchResource } from '../src/usage/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, eventually, type TestPlatform } from './harness.ts';

/**
 * Invoices of plans priced by usage charges, through the API and the billing pass on a manual
 * clock, on a real libSQL file, with the real `invoice-documents` worker and poppler's pdftotext.
 * Every expected amount is computed here from the prices with integer arithmetic (`cost`), not
 * by the pricing engine.
 */
const at = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day);
const iso = (ms: number) => new Date(ms).toISOString();
const clock = manualClock(at(2026, 1, 1));
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: createSandboxProvider() } });
  f = billingFixtures(p);
  await f.ok('POST', '/v1/meters', { code: 'storage_gb', name: 'Storage', aggregation: 'sum', value_property: 'gb', group_by: ['region'] }, 201);
  p.startWorkers(['relay', 'invoice-documents']);
});
afterAll(() => p.close());

/** round_half_up(units × price) for a price written as a decimal string of minor units, in integers. */
function cost(units: number, price: string): number {
  const [whole, fraction = ''] = price.split('.');
  const scale = 10n ** BigInt(fraction.length);
  const exact = BigInt(units) * BigInt(`${whole}${fraction}`);
  return Number((2n * exact + scale) / (2n * scale));
}

let seq = 0;
async function use(customerId: string, model: string, tokens: number) {
  const batch = await f.ok<UsageBatchResource>('POST', '/v1/usage', { records: [{ id: `uc-${++seq}`, customer_id: customerId, model, tokens, occurred_at: iso(clock.now()) }] });
  expect(batch.accepted).toBe(1);
}

/** A customer paying by card, subscribed at `start` to a fresh plan; the first pass pays the fee. */
async function subscribedAt(start: number, plan: Record<string, unknown>, customer: Record<string, unknown> = {}, subscription: Record<string, unknown> = {}) {
  clock.set(start);
  const terms = await f.plan({ trial_days: 0, included_tokens: 0, overage_price_per_1k: 0, ...plan });
  const owner = await f.customer({ payment_method: 'tok_ok', ...customer });
  const sub = await f.subscribe({ customer_id: owner.id, plan_id: terms.id, ...subscription });
  await f.cycle();
  return { sub, customer: owner };
}

const invoicesOf = (subscriptionId: string) => f.invoices(`subscription_id=${subscriptionId}`);

function pdfText(pdf: Uint8Array, name: string): string {
  const path = join(p.dir, `${name}.pdf`);
  writeFileSync(path, pdf);
  const run = Bun.spawnSync(['pdftotext', '-layout', path, '-']);
  if (run.exitCode !== 0) throw new Error(`pdftotext failed: ${run.stderr.toString()}`);
  return run.stdout.toString();
}

/** The invoice's PDF once the worker made it, as pdftotext reads it. */
async function pdfOf(id: string): Promise<string> {
  const token = await p.tokenFor('viewer');
  const bytes = await eventually(async () => {
    const res = await p.app.request(`/v1/invoices/${id}/pdf`, { headers: { Authorization: `Bearer ${token}` } });
    return res.status === 200 ? new Uint8Array(await res.arrayBuffer()) : null;
  });
  return pdfText(bytes, id);
}

/** The dashboard's page of the invoice. */
async function dashboardOf(id: string): Promise<string> {
  const res = await p.app.request(`/admin/invoices/${id}`, { headers: { Cookie: `admin_session=${await p.tokenFor('admin')}` } });
  expect(res.status).toBe(200);
  return res.text();
}

const tokenPrices = { 'gpt-4o': '0.00025', 'gpt-4o-mini': '0.000015', default: '0.0001' };
const tokenCharge = {
  meter: 'ai_tokens',
  model: 'per_unit',
  unit_price: tokenPrices.default,
  prices: [
    { dimensions: { model: 'gpt-4o' }, unit_price: tokenPrices['gpt-4o'] },
    { dimensions: { model: 'gpt-4o-mini' }, unit_price: tokenPrices['gpt-4o-mini'] },
  ],
};
const storageCharge = { meter: 'storage_gb', model: 'graduated', tiers: [{ up_to: 100, unit_price: '0' }, { up_to: null, unit_price: '20' }], min_amount: 1000 };

describe('invoices of plans priced by usage charges', () => {
  test('the renewal bills one usage_charge line per dimension price to the minor unit, the minimum of a charge, then the coupon, the minimum spend and tax', async () => {
    await f.ok('POST', '/v1/coupons', { code: 'TENOFF', name: '10 % off', percent_off_bps: 1000, duration: 'forever' }, 201);
    const { sub, customer } = await subscribedAt(
      at(2026, 1, 1),
      { currency: 'USD', price_amount: 9900, charges: [tokenCharge, storageCharge] },
      { tax_rate_bps: 1900 },
      { coupon: 'TENOFF' },
    );
    clock.set(at(2026, 1, 10));
    await use(customer.id, 'gpt-4o', 1_234_567);
    await use(customer.id, 'gpt-4o-mini', 3_000_001);
    await use(customer.id, 'claude-3', 77_777); // no price names it: the charge's default price
    await f.ok('PUT', `/v1/subscriptions/${sub.id}/minimum-spend`, { amount: 12_000 });
    clock.set(at(2026, 2, 1));
    await f.cycle();

    const gpt4o = cost(1_234_567, tokenPrices['gpt-4o']); // 308.64175 → 309
    const mini = cost(3_000_001, tokenPrices['gpt-4o-mini']); // 45.000015 → 45
    const other = cost(77_777, tokenPrices.default); // 7.7777 → 8
    expect([gpt4o, mini, other]).toEqual([309, 45, 8]);
    const usage = gpt4o + mini + other + 1000; // storage: no usage, its minimum 1000
    const discount = Math.floor(((9900 + usage) * 1000) / 10_000 + 0.5); // 10 % of fee + usage
    const trueUp = 12_000 - (9900 + usage); // the spend counts January's fee and its charges
    const subtotal = 9900 + usage - discount + trueUp;
    const tax = Math.floor((subtotal * 1900) / 10_000 + 0.5);

    const [, february] = await invoicesOf(sub.id);
    const jan = { period_start: iso(at(2026, 1, 1)), period_end: iso(at(2026, 2, 1)) };
    expect(february!.lines.map((l) => [l.kind, l.description, l.quantity, l.amount])).toEqual([
      ['subscription_fee', expect.any(String), 1, 9900],
      ['usage_charge', 'ai_tokens model=gpt-4o: 1,234,567 × 0.00025', 1_234_567, gpt4o],
      ['usage_charge', 'ai_tokens model=gpt-4o-mini: 3,000,001 × 0.000015', 3_000_001, mini],
      ['usage_charge', 'ai_tokens: 77,777 × 0.0001', 77_777, other],
      ['usage_charge', 'minimum for storage_gb', 1, 1000],
      ['discount', expect.any(String), 1, -discount],
      ['minimum_spend_true_up', expect.any(String), 1, trueUp],
    ] as never);
    expect(february).toMatchObject({ subtotal, tax, total: subtotal + tax, status: 'paid' });
    const charged = february!.lines.filter((l) => l.kind === 'usage_charge');
    expect(charged.map((l) => [l.meter, l.dimensions, l.unit_price])).toEqual([
      ['ai_tokens', { model: 'gpt-4o' }, '0.00025'],
      ['ai_tokens', { model: 'gpt-4o-mini' }, '0.000015'],
      ['ai_tokens', null, '0.0001'],
      ['storage_gb', null, null],
    ]);
    for (const line of charged) expect(line).toMatchObject(jan);
    expect(charged[0]!.pricing).toEqual({
      model: 'per_unit',
      included_quantity: 0,
      billable_quantity: 1_234_567,
      tiers: [{ tier: 1, first_unit: 1, last_unit: null, units: 1_234_567, unit_price: '0.00025', flat_fee: '0', amount: '308.64175' }],
      subtotal: '308.64175',
    });
    expect(charged[3]!.pricing).toBeNull();
    // Other lines carry none of it.
    expect(february!.lines[0]).toMatchObject({ meter: null, dimensions: null, unit_price: null, pricing: null });

    const pdf = await pdfOf(february!.id);
    expect(pdf).toMatch(/ai_tokens model=gpt-4o: 1,234,567 × 0\.00025\s+1,234,567\s+\$3\.09/);
    expect(pdf).toContain('Unit price: 0.0000025 USD');
    expect(pdf).toMatch(/minimum for storage_gb\s+1\s+\$10\.00/);
    expect(await dashboardOf(february!.id)).toContain('Unit price: 0.0000025 USD');
  });

  test('a graduated charge shows its tiers on the invoice, its PDF and the dashboard; its maximum comes off as a line', async () => {
    const tiers = [
      { up_to: 1000, unit_price: '0' },
      { up_to: 10_000, unit_price: '0.5', flat_fee: '100' },
      { up_to: null, unit_price: '0.25' },
    ];
    const { sub, customer } = await subscribedAt(at(2026, 3, 1), { price_amount: 2900, charges: [{ meter: 'ai_tokens', model: 'graduated', tiers, max_amount: 8000 }] });
    clock.set(at(2026, 3, 5));
    await use(customer.id, 'gpt-4o', 25_001);
    clock.set(at(2026, 4, 1));
    await f.cycle();

    // 1,000 × 0 + 9,000 × 0.5 + 100 + 15,001 × 0.25 = 0 + 4,500 + 100 + 3,750.25 → 8,350; capped at 8,000.
    const exact = cost(9000, '0.5') + 100 + cost(15_001, '0.25');
    expect(exact).toBe(8350);
    const [, april] = await invoicesOf(sub.id);
    expect(april!.lines.map((l) => [l.kind, l.description, l.quantity, l.amount, l.unit_price])).toEqual([
      ['subscription_fee', expect.any(String), 1, 2900, null],
      ['usage_charge', 'ai_tokens: 25,001 units, graduated (3 tiers)', 25_001, exact, null],
      ['usage_charge', 'maximum for ai_tokens', 1, 8000 - exact, null],
    ] as never);
    expect(april!.lines[1]!.pricing!.tiers.map((t) => [t.tier, t.units, t.unit_price, t.flat_fee, t.amount])).toEqual([
      [1, 1000, '0', '0', '0'],
      [2, 9000, '0.5', '100', '4600'],
      [3, 15_001, '0.25', '0', '3750.25'],
    ]);
    expect(april).toMatchObject({ subtotal: 2900 + 8000, total: 2900 + 8000 });

    const pdf = await pdfOf(april!.id);
    expect(pdf).toMatch(/ai_tokens: 25,001 units, graduated \(3 tiers\)\s+25,001\s+€83\.50/);
    expect(pdf).toContain('Tier 1 (1–1,000): 1,000 × 0.00 EUR = 0.00 EUR');
    expect(pdf).toContain('Tier 2 (1,001–10,000): 9,000 × 0.005 EUR + flat fee 1.00 EUR = 46.00 EUR');
    expect(pdf).toContain('Tier 3 (10,001 and up): 15,001 × 0.0025 EUR = 37.5025 EUR');
    expect(pdf).toMatch(/maximum for ai_tokens\s+1\s+-€3\.50/);
    const page = await dashboardOf(april!.id);
    expect(page).toContain('Tier 2 (1,001–10,000): 9,000 × 0.005 EUR + flat fee 1.00 EUR = 46.00 EUR');
  });

  test('an amount threshold measures the fee and the charges so far; its early invoice and the period-end invoice bill the usage once', async () => {
    /*
     * 10.00 EUR fee, 0.5 cent per token. Threshold 1002: 3 tokens → round(1.5) = 2 → 1002, reached.
     *   early invoice: 3 tokens, 2
     *   3 more tokens: 6 → round(3.0) = 3 in all, so the period-end invoice bills 3 tokens, 3 − 2 = 1
     *   (pricing each slice on its own would bill 2 + 2 = 4).
     */
    const { sub, customer } = await subscribedAt(at(2026, 5, 1), { price_amount: 1000, charges: [{ meter: 'ai_tokens', model: 'per_unit', unit_price: '0.5' }] });
    await f.ok('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'amount', value: 1000 + cost(3, '0.5'), invoice_early: true }, 201);
    clock.set(at(2026, 5, 5));
    await use(customer.id, 'gpt-4o', 3);
    const reached = (await f.eventTypes('usage.threshold_reached')).filter((e) => e.subject === sub.id);
    expect(reached.map((e) => e.data.value_reached)).toEqual([1002]);
    expect(await f.cycle()).toMatchObject({ invoicedEarly: 1, errors: 0 });
    clock.set(at(2026, 5, 10));
    await use(customer.id, 'gpt-4o', 3);
    clock.set(at(2026, 6, 1));
    expect(await f.cycle()).toMatchObject({ errors: 0 });

    const [, early, june] = await invoicesOf(sub.id);
    expect(early!.billing_reason).toBe('threshold');
    expect(early!.lines.map((l) => [l.kind, l.description, l.quantity, l.amount])).toEqual([['usage_charge', 'ai_tokens: 3 × 0.5', 3, 2]]);
    expect(june!.billing_reason).toBe('subscription_cycle');
    expect(june!.lines.map((l) => [l.kind, l.description, l.quantity, l.amount])).toEqual([
      ['subscription_fee', expect.any(String), 1, 1000],
      ['usage_charge', 'ai_tokens: 6 × 0.5; 3 billed before', 3, 1],
    ] as never);
    const billed = [early, june].flatMap((i) => i!.lines).filter((l) => l.kind === 'usage_charge');
    expect([billed.reduce((s, l) => s + l.quantity, 0), billed.reduce((s, l) => s + l.amount, 0)]).toEqual([6, cost(6, '0.5')]);
  });

  test('a voided early invoice no longer counts as billed: the period-end invoice bills its usage again', async () => {
    const { sub, customer } = await subscribedAt(at(2026, 9, 1), { price_amount: 1000, charges: [{ meter: 'ai_tokens', model: 'per_unit', unit_price: '0.5' }] });
    await f.ok('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'tokens', value: 3, invoice_early: true }, 201);
    // Its card is declined, so the early invoice stays open and can be voided.
    await f.ok('PATCH', `/v1/customers/${customer.id}`, { payment_method: 'tok_decline' });
    clock.set(at(2026, 9, 5));
    await use(customer.id, 'gpt-4o', 3);
    expect(await f.cycle()).toMatchObject({ invoicedEarly: 1, errors: 0 });
    const [, early] = await invoicesOf(sub.id);
    expect(early!.lines.map((l) => [l.quantity, l.amount])).toEqual([[3, 2]]);
    expect(await f.ok('POST', `/v1/invoices/${early!.id}/void`)).toMatchObject({ status: 'void' });
    await f.ok('PATCH', `/v1/customers/${customer.id}`, { payment_method: 'tok_ok' });
    clock.set(at(2026, 9, 10));
    await use(customer.id, 'gpt-4o', 3);
    clock.set(at(2026, 10, 1));
    expect(await f.cycle()).toMatchObject({ errors: 0 });
    const october = (await invoicesOf(sub.id)).at(-1)!;
    expect(october.lines.map((l) => [l.kind, l.description, l.quantity, l.amount])).toEqual([
      ['subscription_fee', expect.any(String), 1, 1000],
      ['usage_charge', 'ai_tokens: 6 × 0.5', 6, cost(6, '0.5')],
    ] as never);
  });

  test('a plan without charges still bills its token overage as a usage_overage line', async () => {
    const { sub, customer } = await subscribedAt(at(2026, 7, 1), { price_amount: 2900, included_tokens: 1000, overage_price_per_1k: 200 });
    clock.set(at(2026, 7, 3));
    await use(customer.id, 'gpt-4o', 3500);
    clock.set(at(2026, 8, 1));
    await f.cycle();
    const [, august] = await invoicesOf(sub.id);
    expect(august!.lines.map((l) => [l.kind, l.quantity, l.amount, l.meter, l.pricing])).toEqual([
      ['subscription_fee', 1, 2900, null, null],
      ['usage_overage', 2500, 500, null, null],
    ]);
  });
});
