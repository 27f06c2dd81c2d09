import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, type TestPlatform } from './harness.ts';
import type { MeterResource } from '../src/meters/contract.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import { inMajorUnits } from '../src/admin/pages/charges.ts';

/** The dashboard's meters and a plan's charges, read and written as an operator's browser does: pages over the real app, forms posted with the session's CSRF token. */
let p: TestPlatform;
let operator: string;
let viewer: string;
beforeAll(async () => {
  p = await createTestPlatform();
  operator = await p.tokenFor('operator');
  viewer = await p.tokenFor('viewer');
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 8);
const ORIGIN = 'http://localhost';

/** A dashboard page as the signed-in operator's browser gets it. */
async function open(path: string, token = operator) {
  const res = await p.app.request(path, { headers: { Cookie: `admin_session=${token}` } });
  return { status: res.status, html: await res.text(), location: res.headers.get('Location') };
}

/** Posts a form from `from` (whose CSRF field it copies) to `action`; follows the redirect and returns the page it lands on. */
async function post(from: string, action: string, fields: Record<string, string>, token = operator) {
  const csrf = /name="_csrf" value="([^"]*)"/.exec((await open(from, token)).html)?.[1] ?? '';
  const res = await p.app.request(action, {
    method: 'POST',
    headers: { Cookie: `admin_session=${token}`, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
  if (res.status !== 303) return { status: res.status, location: null, html: await res.text() };
  const location = res.headers.get('Location')!;
  return { status: 303, location, html: (await open(location, token)).html };
}

/** The text of the first element carrying `data-test="<name>"`, up to the next closing tag of its kind (rough, enough for assertions). */
const section = (html: string, name: string) => {
  const at = html.indexOf(`data-test="${name}"`);
  return at < 0 ? '' : html.slice(at);
};
const flash = (html: string, kind: 'notice' | 'error') => /<div class="flash (?:notice|error)"[^>]*>([^<]*)<\/div>/.exec(html.includes(`flash ${kind}`) ? html.slice(html.indexOf(`flash ${kind}`) - 12) : '')?.[1] ?? '';
const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');

describe("dashboard: meters", () => {
  test("the navigation leads to Meters; the list shows each meter with its definition and filters by status", async () => {
    const code = `calls_${tag()}`;
    const archived = `old_${tag()}`;
    await p.call('POST', '/v1/meters', { body: { code, name: 'API calls', aggregation: 'sum', value_property: 'calls', group_by: ['region', 'endpoint'] } });
    await p.call('POST', '/v1/meters', { body: { code: archived, name: 'Old', aggregation: 'count' } });
    await p.call('POST', `/v1/meters/${archived}/archive`);

    const home = await open('/admin');
    expect(home.html).toContain('<a href="/admin/meters"');
    const list = await open('/admin/meters');
    expect(list.status).toBe(200);
    const table = section(list.html, 'meters');
    const row = table.slice(table.indexOf(`>${code}<`)).split('</tr>')[0]!;
    expect(row).toContain('API calls');
    expect(row).toContain('>sum<');
    expect(row).toContain('>calls<');
    expect(row).toContain('region, endpoint');
    expect(row).toContain('badge ok">active');
    expect(table).toContain('>ai_tokens<');
    expect(table).toContain('data-test="built-in"');

    const onlyArchived = section((await open('/admin/meters?status=archived')).html, 'meters');
    expect(onlyArchived).toContain(`>${archived}<`);
    expect(onlyArchived).not.toContain(`>${code}<`);
    expect(onlyArchived).not.toContain('>ai_tokens<');
    const active = section((await open('/admin/meters?status=active')).html, 'meters');
    expect(active).toContain(`>${code}<`);
    expect(active).not.toContain(`>${archived}<`);
  });

  test("the list pages with a cursor, keeping the status filter", async () => {
    for (let i = 0; i < 3; i++) await p.call('POST', '/v1/meters', { body: { code: `page_${tag()}`, name: 'Paged', aggregation: 'count' } });
    const first = await open('/admin/meters?status=active&limit=2');
    const next = decode(/href="([^"]+)" data-test="next-page"/.exec(first.html)?.[1] ?? '');
    expect(next).toContain('status=active');
    expect(next).toContain('cursor=');
    const second = await open(next);
    const codesOf = (html: string) => [...section(html, 'meters').matchAll(/data-test="meter-link">([^<]+)</g)].map((m) => m[1]);
    expect(codesOf(first.html)).toHaveLength(2);
    expect(codesOf(second.html).length).toBeGreaterThan(0);
    expect(codesOf(second.html).some((c) => codesOf(first.html).includes(c))).toBe(false);
  });

  test("an operator creates a meter from the form (dimensions comma-separated) and lands on its page; the API reads it back", async () => {
    const code = `gb_${tag()}`;
    const res = await post('/admin/meters', '/admin/meters', { code, name: 'Storage', aggregation: 'max', value_property: 'gb', group_by: ' region , tier ' });
    expect(res.location).toStartWith(`/admin/meters/${code}?notice=`);
    expect(flash(res.html, 'notice')).toBe(`Meter ${code} created.`);
    const meter = section(res.html, 'meter');
    expect(meter).toContain('<dd>max</dd>');
    expect(meter).toContain('<dd>gb</dd>');
    expect(meter).toContain('<dd>region, tier</dd>');
    const api = await p.call<MeterResource>('GET', `/v1/meters/${code}`);
    expect(api.body).toMatchObject({ code, name: 'Storage', aggregation: 'max', value_property: 'gb', group_by: ['region', 'tier'], status: 'active', built_in: false });
  });

  test("a refused meter form comes back with the API schema's messages, each naming its field, and creates nothing", async () => {
    const res = await post('/admin/meters', '/admin/meters', { code: 'Bad Code', name: 'X', aggregation: 'sum', group_by: 'a,a' });
    expect(res.location).toStartWith('/admin/meters?error=');
    const message = decode(flash(res.html, 'error'));
    expect(message).toContain('code: must be 1 to 64 lowercase letters');
    expect(message).toContain('value_property: is required for a sum meter');
    expect(message).toContain('group_by: must not list a property twice');
    const taken = await post('/admin/meters', '/admin/meters', { code: 'ai_tokens', name: 'Again', aggregation: 'count' });
    expect(decode(flash(taken.html, 'error'))).toContain('a meter with code ai_tokens already exists');
  });

  test("a meter page shows its definition; an operator archives it and the page shows it archived, without the button", async () => {
    const code = `arch_${tag()}`;
    await p.call('POST', '/v1/meters', { body: { code, name: 'To archive', description: 'Gone soon', aggregation: 'unique_count', value_property: 'user_id' } });
    const before = await open(`/admin/meters/${code}`);
    expect(section(before.html, 'meter')).toContain('Gone soon');
    expect(section(before.html, 'meter')).toContain('unique_count');
    expect(before.html).toContain('data-test="archive-meter"');
    expect(before.html).not.toContain('data-test="built-in"');

    const res = await post(`/admin/meters/${code}`, `/admin/meters/${code}/archive`, {});
    expect(flash(res.html, 'notice')).toBe(`Meter ${code} archived.`);
    expect(section(res.html, 'meter-status')).toStartWith('data-test="meter-status"><span class="badge ">archived');
    expect(res.html).not.toContain('data-test="archive-meter"');
    expect((await p.call<MeterResource>('GET', `/v1/meters/${code}`)).body.status).toBe('archived');

    // Archiving again: the verb's refusal, shown as the dashboard shows every refusal.
    const again = await post(`/admin/meters/${code}`, `/admin/meters/${code}/archive`, {});
    expect(decode(flash(again.html, 'error'))).toBe('cannot archive a meter that is archived');
  });

  test("the built-in meter shows its badge and no archive button; archiving it anyway is refused with the API's reason", async () => {
    const pageOf = await open('/admin/meters/ai_tokens');
    expect(pageOf.status).toBe(200);
    expect(section(pageOf.html, 'meter')).toContain('data-test="built-in"');
    expect(pageOf.html).toContain('data-test="built-in-note"');
    expect(pageOf.html).not.toContain('data-test="archive-meter"');

    const res = await post('/admin/meters/ai_tokens', '/admin/meters/ai_tokens/archive', {});
    expect(res.location).toStartWith('/admin/meters/ai_tokens?error=');
    expect(decode(flash(res.html, 'error'))).toBe('meter ai_tokens is built in; it cannot be archived');
    expect((await p.call<MeterResource>('GET', '/v1/meters/ai_tokens')).body.status).toBe('active');
  });

  test("a viewer sees meters but no create form nor archive button, and the server refuses their posts (403)", async () => {
    const code = `view_${tag()}`;
    await p.call('POST', '/v1/meters', { body: { code, name: 'Viewed', aggregation: 'count' } });
    const list = await open('/admin/meters', viewer);
    expect(list.status).toBe(200);
    expect(list.html).not.toContain('data-test="create-meter"');
    expect((await open(`/admin/meters/${code}`, viewer)).html).not.toContain('data-test="archive-meter"');
    expect((await post('/admin/meters', `/admin/meters/${code}/archive`, {}, viewer)).status).toBe(403);
    expect((await p.call<MeterResource>('GET', `/v1/meters/${code}`)).body.status).toBe('active');
  });

  test("an unknown meter is the dashboard's 404 page", async () => {
    const res = await open('/admin/meters/no_such_meter');
    expect(res.status).toBe(404);
    expect(res.html).toContain('Not found');
    // The meter's own refusal (the API's message), not a missing route.
    expect(section(res.html, 'error-detail')).toContain('no_such_meter');
  });
});

/** Per model and kind of token, output dearer than input; storage by tiers. */
const tokenCharge = {
  meter: 'ai_tokens',
  model: 'per_unit',
  unit_price: '0.0001',
  included_quantity: 1000,
  prices: [
    { dimensions: { model: 'gpt-4o', token_type: 'input' }, unit_price: '0.00025' },
    { dimensions: { model: 'gpt-4o', token_type: 'output' }, unit_price: '0.001', included_quantity: 500 },
  ],
};
const storageCharge = {
  meter: 'dash_storage',
  model: 'graduated',
  tiers: [
    { up_to: 100, unit_price: '0' },
    { up_to: 1000, unit_price: '20', flat_fee: '500' },
    { up_to: null, unit_price: '10' },
  ],
  min_amount: 1000,
  max_amount: 500_000,
};

describe("dashboard: a plan's usage charges and seat price", () => {
  beforeAll(async () => {
    await p.call('POST', '/v1/meters', { body: { code: 'dash_storage', name: 'Storage', aggregation: 'max', value_property: 'gb', group_by: ['region'] } });
  });

  test("the plan page shows the seat price and each charge: meter linked, model, default price in minor units, tiers, included quantity, bounds, dimension prices", async () => {
    const plan = (await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `ai-${tag()}`, name: 'AI Pro', price_amount: 9900, currency: 'USD', interval: 'month', seat_price: 1500, charges: [tokenCharge, storageCharge] } })).body;
    const res = await open(`/admin/plans/${plan.id}`);
    expect(res.status).toBe(200);
    expect(section(res.html, 'seat-price')).toStartWith('data-test="seat-price">15.00 USD / seat / month<');

    const charges = section(res.html, 'charges');
    const [tokens, storage] = charges.split('data-test="charge"').slice(1);
    expect(tokens).toContain('<a href="/admin/meters/ai_tokens" data-test="charge-meter">ai_tokens</a>');
    expect(tokens).toContain('<dd>per_unit</dd>');
    expect(section(tokens!, 'default-price')).toContain('0.0001 minor units of USD</span> <span class="muted">(= 0.000001 USD)</span></span> per unit');
    expect(tokens).toContain('1,000 units');
    const dimensionRows = section(tokens!, 'dimension-prices').split('<tr>').slice(2);
    expect(dimensionRows).toHaveLength(2);
    expect(dimensionRows[0]).toContain('<code>model</code> = gpt-4o, <code>token_type</code> = input');
    expect(dimensionRows[0]).toContain('0.00025 minor units of USD');
    expect(dimensionRows[1]).toContain('<code>token_type</code> = output');
    expect(dimensionRows[1]).toContain('0.001 minor units of USD');
    expect(dimensionRows[1]).toContain('500 units');

    expect(storage).toContain('<a href="/admin/meters/dash_storage" data-test="charge-meter">dash_storage</a>');
    expect(storage).toContain('<dd>graduated</dd>');
    const tiers = section(storage!, 'tiers').split('</table>')[0]!.split('<tr>').slice(2).map((r) => r.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
    expect(tiers).toEqual([
      '100 units 0 minor units of USD (= 0.00 USD) —',
      '1,000 units 20 minor units of USD (= 0.20 USD) 500 minor units of USD (= 5.00 USD)',
      'and above 10 minor units of USD (= 0.10 USD) —',
    ]);
    expect(storage).toContain('at least 10.00 USD, at most 5000.00 USD');
    expect(res.html).not.toContain('data-test="token-terms-note"');
    expect(section(res.html, 'versions')).toContain('ai_tokens, dash_storage');
  });

  test("a package price reads per package; a volume price's tiers and a dimension's own tiers show as tables", async () => {
    await p.call('POST', '/v1/meters', { body: { code: 'dash_calls', name: 'Calls', aggregation: 'count', group_by: ['endpoint'] } });
    const charges = [
      { meter: 'dash_calls', model: 'package', package_size: 1000, package_price: '250', max_amount: 10_000 },
      {
        meter: 'dash_storage',
        model: 'volume',
        prices: [{ dimensions: { region: 'eu' }, tiers: [{ up_to: 10, unit_price: '5' }, { up_to: null, unit_price: '2.5' }] }],
      },
    ];
    const plan = (await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `pk-${tag()}`, name: 'Packages', price_amount: 0, currency: 'EUR', interval: 'year', charges } })).body;
    expect(plan.charges).toHaveLength(2);
    const [calls, storage] = section((await open(`/admin/plans/${plan.id}`)).html, 'charges').split('data-test="charge"').slice(1);
    expect(section(calls!, 'default-price')).toContain('250 minor units of EUR</span> <span class="muted">(= 2.50 EUR)</span></span> per package of 1,000 units');
    expect(calls).toContain('at most 100.00 EUR');
    expect(section(storage!, 'default-price')).toContain('none: only the dimension prices below apply');
    const row = section(storage!, 'dimension-prices').split('</thead>').slice(1).join('');
    expect(row).toContain('<code>region</code> = eu');
    expect(row).toContain('every unit at the tier the total reaches');
    expect(row).toContain('2.5 minor units of EUR');
  });

  test("a version with token terms and no charges shows them as today, noting they bill as one per-unit charge on ai_tokens", async () => {
    const plan = (await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `tok-${tag()}`, name: 'Tokens', price_amount: 1000, currency: 'EUR', interval: 'month', included_tokens: 50_000, overage_price_per_1k: 20 } })).body;
    const res = await open(`/admin/plans/${plan.id}`);
    expect(section(res.html, 'plan')).toContain('<dt>AI tokens included</dt><dd>50,000</dd>');
    expect(section(res.html, 'no-charges')).toContain('No usage charges on this version.');
    expect(section(res.html, 'token-terms-note')).toContain('50,000 AI tokens included, then 0.20 EUR per 1,000; billed as one per-unit charge on <a href="/admin/meters/ai_tokens"');
    expect(section(res.html, 'seat-price')).toContain('seats are not billed');
  });

  test("the create form takes a seat price and charges as JSON, checked by the API's schema; refusals name each field path", async () => {
    const code = `form-${tag()}`;
    const fields = { code, name: 'Form plan', price_amount: '9900', currency: 'usd', interval: 'month', trial_days: '0', included_tokens: '0', overage_price_per_1k: '0', quota_policy: 'overage' };
    const bad = await post('/admin/plans', '/admin/plans', { ...fields, seat_price: '-5', charges: JSON.stringify([{ meter: 'dash_storage', model: 'graduated', tiers: [{ up_to: 10, unit_price: 'x' }, { up_to: 5, unit_price: '1' }] }, { meter: 'nope', model: 'per_unit', unit_price: '1' }]) });
    expect(bad.location).toStartWith('/admin/plans?error=');
    const message = decode(flash(bad.html, 'error'));
    expect(message).toContain('seat_price: must not be negative');
    expect(message).toContain('charges.0.tiers.0.unit_price: must be a decimal number of minor units');
    const notJson = await post('/admin/plans', '/admin/plans', { ...fields, charges: '[{"meter": ' });
    expect(decode(flash(notJson.html, 'error'))).toStartWith('charges: must be a JSON array of usage charges');
    // A meter that does not exist: the check against the database, by its path.
    const unknown = await post('/admin/plans', '/admin/plans', { ...fields, charges: JSON.stringify([{ meter: 'nope', model: 'per_unit', unit_price: '1' }]) });
    expect(decode(flash(unknown.html, 'error'))).toContain('charges.0.meter');
    expect((await p.call<{ data: unknown[] }>('GET', `/v1/plans?code=${code}`)).body.data).toEqual([]);

    const ok = await post('/admin/plans', '/admin/plans', { ...fields, seat_price: '1500', charges: JSON.stringify([storageCharge]) });
    expect(flash(ok.html, 'notice')).toBe(`Plan ${code} created.`);
    const id = ok.location!.split('?')[0]!.split('/').pop()!;
    const api = (await p.call<PlanResource>('GET', `/v1/plans/${id}`)).body;
    expect(api.seat_price).toEqual({ amount: 1500, currency: 'USD' });
    expect(api.charges).toEqual([storageCharge] as never);
    expect(section(ok.html, 'seat-price')).toContain('15.00 USD / seat / month');
    expect(section(ok.html, 'charges')).toContain('data-test="tiers"');
  });
});

describe("a price in minor units, in major units", () => {
  test("moves the point by the currency's decimals, exactly, with at least those decimals", () => {
    expect(inMajorUnits('0.00025', 'USD')).toBe('0.0000025 USD');
    expect(inMajorUnits('20', 'USD')).toBe('0.20 USD');
    expect(inMajorUnits('1500', 'EUR')).toBe('15.00 EUR');
    expect(inMajorUnits('123456789012345.123456789012', 'EUR')).toBe('1234567890123.45123456789012 EUR');
    expect(inMajorUnits('7', 'JPY')).toBe('7 JPY');
    expect(inMajorUnits('0.5', 'JPY')).toBe('0.5 JPY');
    expect(inMajorUnits('1', 'BHD')).toBe('0.001 BHD');
    expect(inMajorUnits('0', 'USD')).toBe('0.00 USD');
  });
});
