import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { InvoiceResource } from '../src/billing/contract.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import type { TestClockResource } from '../src/test-clocks/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/**
 * A simulated year of an AI business's customer, priced the way such businesses sell: per model
 * and kind of token, a graduated charge on API calls, licensed seats changed mid-period and a
 * negotiated price from May. Every invoice is checked to the minor unit against amounts this
 * file works out on its own (below), not with the pricing engine.
 *
 *   AI Scale, USD, monthly: fee 200.00; seats 15.00 each; tax 20 %.
 *   ai_tokens (cents per token): gpt-4o input 0.00025, output 0.001, cached 0.000125;
 *                                gpt-4o-mini input 0.000015, output 0.00006; no default price.
 *   api_calls, graduated: 1–10,000 free; 10,001–100,000 at 0.1 cents plus a 5.00 flat fee; past
 *                         100,000 at 0.05 cents.
 *   Seats: 5 from Jan 1; 8 from Feb 15 (14 of February's 28 days left: 3 × 1,500 × 14/28 = 2,250).
 *   Deal from May 20: gpt-4o output at 0.0008 (the rest as the plan). The prices in force when an
 *   invoice is drafted price the usage it bills, so May's usage (billed Jun 1) is at the deal.
 *   Usage in month m (1–12), on the 10th: gpt-4o 2,000,000 + 100,000·m input, 400,000 + 50,000·m
 *   output, 1,000,000 cached; mini 5,000,000 input, 1,000,000 output; api_calls 4,000 + 20,000·m,
 *   split 3:1 between endpoints chat and embed.
 *
 * Each usage line is rounded once, half up; the invoice's tax is round_half_up(subtotal × 20 %).
 */
const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);
const clock = manualClock(at(2026, 11, 30));
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: createSandboxProvider() } });
  f = billingFixtures(p);
});
afterAll(() => p.close());

// ---- The oracle: prices worked out with plain integer arithmetic, independent of src/pricing. ----

/** n units at a price in cents with up to 12 decimals, rounded half up to whole cents. */
function cents(units: number, price: string): number {
  const [whole, fraction = ''] = price.split('.');
  const picoCents = BigInt(units) * (BigInt(whole!) * 10n ** 12n + BigInt(fraction.padEnd(12, '0')));
  return Number((picoCents + 5n * 10n ** 11n) / 10n ** 12n);
}

/** The graduated api_calls charge, by hand: three tiers, a flat fee on the second. */
function apiCalls(calls: number): number {
  if (calls <= 10_000) return 0;
  const second = Math.min(calls, 100_000) - 10_000;
  const third = Math.max(0, calls - 100_000);
  // Tier 2: 0.1 cent a call = calls / 10; tier 3: 0.05 cent a call = calls / 20; one rounding, half up.
  return Math.floor((second * 2 + third + 500 * 20 + 10) / 20);
}

const PRICES = {
  'gpt-4o': { input: '0.00025', output: '0.001', cached: '0.000125' },
  'gpt-4o-mini': { input: '0.000015', output: '0.00006' },
} as const;
const DEAL_OUTPUT = '0.0008';

const usageOf = (m: number) => ({
  'gpt-4o': { input: 2_000_000 + 100_000 * m, output: 400_000 + 50_000 * m, cached: 1_000_000 },
  'gpt-4o-mini': { input: 5_000_000, output: 1_000_000 },
  calls: 4_000 + 20_000 * m,
});

/** The usage lines of the invoice billing month m's usage: [meter, dimensions, quantity, amount]. */
function usageLines(m: number): [string, Record<string, string> | null, number, number][] {
  const u = usageOf(m);
  const dealt = m >= 5;
  const lines: [string, Record<string, string> | null, number, number][] = [];
  for (const [model, types] of Object.entries(PRICES)) {
    for (const [type, price] of Object.entries(types)) {
      const quantity = (u as unknown as Record<string, Record<string, number>>)[model]![type]!;
      const priced = model === 'gpt-4o' && type === 'output' && dealt ? DEAL_OUTPUT : price;
      lines.push(['ai_tokens', { model, token_type: type }, quantity, cents(quantity, priced)]);
    }
  }
  lines.push(['api_calls', null, u.calls, apiCalls(u.calls)]);
  return lines;
}

const tokenCharge = (output: string) => ({
  meter: 'ai_tokens',
  model: 'per_unit',
  prices: Object.entries(PRICES).flatMap(([model, types]) =>
    Object.entries(types).map(([token_type, price]) => ({ dimensions: { model, token_type }, unit_price: model === 'gpt-4o' && token_type === 'output' ? output : price })),
  ),
});

test('a simulated year priced per model and token type, with a graduated charge, seats changed mid-period and a negotiated price, invoiced to the minor unit', async () => {
  const testClock = await f.ok<TestClockResource>('POST', '/v1/test-clocks', { name: 'ai pricing year', frozen_time: iso(at(2025, 12, 31)) }, 201);
  const advance = (to: number) => f.ok('POST', `/v1/test-clocks/${testClock.id}/advance`, { frozen_time: iso(to) });
  await f.ok('POST', '/v1/meters', { code: 'api_calls', name: 'API calls', aggregation: 'sum', value_property: 'calls', group_by: ['endpoint'] }, 201);
  const plan = await f.plan({
    name: 'AI Scale',
    currency: 'USD',
    price_amount: 20_000,
    included_tokens: 0,
    overage_price_per_1k: 0,
    seat_price: 1_500,
    charges: [
      tokenCharge(PRICES['gpt-4o'].output),
      { meter: 'api_calls', model: 'graduated', tiers: [{ up_to: 10_000, unit_price: '0' }, { up_to: 100_000, unit_price: '0.1', flat_fee: '500' }, { up_to: null, unit_price: '0.05' }] },
    ],
  });
  const customer = await f.customer({ payment_method: 'tok_ok', tax_rate_bps: 2_000, test_clock_id: testClock.id });
  await advance(at(2026, 1, 1));
  const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id, seats: 5 });
  expect(sub).toMatchObject({ current_period_start: iso(at(2026, 1, 1)), currency: 'USD', seats: 5 });

  for (let m = 1; m <= 12; m++) {
    const on = at(2026, m, 10);
    await advance(on);
    const u = usageOf(m);
    const records = [
      ...Object.entries(u['gpt-4o']).map(([token_type, tokens]) => ({ id: `4o-${token_type}-${m}`, customer_id: customer.id, model: 'gpt-4o', token_type, tokens, occurred_at: iso(on) })),
      ...Object.entries(u['gpt-4o-mini']).map(([token_type, tokens]) => ({ id: `mini-${token_type}-${m}`, customer_id: customer.id, model: 'gpt-4o-mini', token_type, tokens, occurred_at: iso(on) })),
      { id: `chat-${m}`, customer_id: customer.id, meter: 'api_calls', timestamp: iso(on), properties: { endpoint: 'chat', calls: (u.calls * 3) / 4 } },
      { id: `embed-${m}`, customer_id: customer.id, meter: 'api_calls', timestamp: iso(on), properties: { endpoint: 'embed', calls: u.calls / 4 } },
    ];
    const res = await f.ok<{ results: { status: string; reason?: string }[] }>('POST', '/v1/usage', { records });
    expect(res.results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));
    if (m === 2) {
      await advance(at(2026, 2, 15));
      expect(await f.ok<SubscriptionResource>('POST', `/v1/subscriptions/${sub.id}/seats`, { seats: 8 })).toMatchObject({ seats: 8 });
    }
    if (m === 5) {
      await advance(at(2026, 5, 20));
      await f.ok('PUT', `/v1/subscriptions/${sub.id}/prices`, { charges: [tokenCharge(DEAL_OUTPUT)], note: 'Annual commitment: output tokens at 0.0008' });
    }
  }
  await advance(at(2027, 1, 1));

  const invoices = (await f.invoices(`customer_id=${customer.id}`)).filter((i) => i.billing_reason !== 'wallet_top_up');
  type Line = [kind: string, meter: string | null, dimensions: Record<string, string> | null, quantity: number, amount: number];
  const got = invoices.map((i: InvoiceResource) => ({
    period: day(Date.parse(i.period_start)),
    lines: i.lines.map((l) => [l.kind, (l as { meter?: string | null }).meter ?? null, (l as { dimensions?: Record<string, string> | null }).dimensions ?? null, l.quantity, l.amount] as Line),
    subtotal: i.subtotal,
    tax: i.tax,
    total: i.total,
  }));

  const expected = [];
  for (let n = 0; n <= 12; n++) {
    // Invoice n bills month n+1's fee and seats in advance and month n's usage in arrears.
    const seats = n >= 2 ? 8 : 5;
    const lines: Line[] = [
      ['subscription_fee', null, null, 1, 20_000],
      ['seats', null, null, seats, seats * 1_500],
    ];
    if (n === 2) lines.push(['proration_charge', null, null, 1, 2_250]);
    if (n >= 1) for (const [meter, dimensions, quantity, amount] of usageLines(n)) lines.push(['usage_charge', meter, dimensions, quantity, amount]);
    const subtotal = lines.reduce((s, l) => s + l[4], 0);
    const tax = Math.floor((subtotal * 2_000 + 5_000) / 10_000);
    expected.push({ period: day(at(2026, n + 1, 1)), lines, subtotal, tax, total: subtotal + tax });
  }
  expect(got).toEqual(expected);
}, 180_000);
