import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, customerInput, type OpenApiDocument, type TestPlatform } from './harness.ts';
import type { Problem } from '../src/http/problem.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { OperatorResource } from '../src/operators/contract.ts';
import type { Page } from '../db/paging.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { UserResource } from '../src/users/contract.ts';

let p: TestPlatform;
let token: string;
beforeAll(async () => {
  p = await createTestPlatform();
  token = await p.tokenFor('admin');
});
afterAll(() => p.close());

const LEAKS = [/SELECT/i, /sqlite/i, /libsql/i, /\bat .*[/\\][^\s]*\.(ts|js|mjs):\d+/, /node_modules/];

/** Calls the app with raw text so the exact bytes the client sees can be checked for leaks. */
async function send<T = unknown>(method: string, path: string, options: { body?: string; contentType?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...options.headers };
  if (options.body !== undefined && options.contentType !== null) headers['Content-Type'] = options.contentType ?? 'application/json';
  // Bytes, not a string: fetch would label a string body text/plain by itself.
  const payload = options.body !== undefined && options.contentType === null ? new TextEncoder().encode(options.body) : options.body;
  const res = await p.app.request(path, { method, headers, body: payload });
  const text = await res.text();
  for (const leak of LEAKS) expect(text).not.toMatch(leak);
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, text, body: body as T };
}

/** What `send` answers: status, headers, the raw text and the parsed body. */
type Sent<T = unknown> = Awaited<ReturnType<typeof send<T>>>;

/** Asserts a complete RFC 9457 problem for a 400 whose `errors` names `field`. */
function expectValidation(res: Sent, path: string, field: string): asserts res is Sent<Problem> {
  const problem = res.body as Problem;
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  expect(res.body).toMatchObject({ type: '/problems/validation', status: 400, code: 'validation', instance: path });
  expect(typeof problem.title).toBe('string');
  expect(problem.title.length).toBeGreaterThan(0);
  expect(typeof problem.detail).toBe('string');
  expect(problem.detail.length).toBeGreaterThan(0);
  expect<string | null | undefined>(problem.request_id).toBe(res.headers.get('x-request-id'));
  expect(Array.isArray(problem.errors)).toBe(true);
  for (const issue of problem.errors!) {
    expect(typeof issue.field).toBe('string');
    expect(typeof issue.message).toBe('string');
  }
  expect(problem.errors!.map((e) => e.field)).toContain(field);
}

const onboard = <T = CustomerResource>(body: unknown) => send<T>('POST', '/v1/customers', { body: JSON.stringify(body) });

describe('onboarding input', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a malformed email', { email: 'not-an-email' }, 'email'],
    ['an unknown kind', { kind: 'government' }, 'kind'],
    ['a country name instead of a code', { country: 'Germany' }, 'country'],
    ['a phone number not in E.164', { phone: '030 1234567' }, 'phone'],
    ['an empty name', { name: '   ' }, 'name'],
    ['a name that is not a string', { name: 42 }, 'name'],
    ['too long a name', { name: 'x'.repeat(201) }, 'name'],
    ['metadata with a nested object', { metadata: { nested: { a: 1 } } }, 'metadata.nested'],
  ];
  for (const [what, override, field] of cases) {
    test(`${what} is a 400 naming ${field}`, async () => {
      const body = customerInput(override);
      expectValidation(await onboard(body), '/v1/customers', field);
      // Nothing was created.
      const email = typeof body.email === 'string' ? body.email : '';
      if (email.includes('@')) expect((await send<Page<CustomerResource>>('GET', `/v1/customers?email=${encodeURIComponent(email)}`)).body.data).toEqual([]);
    });
  }

  test('a missing name is a 400 naming name', async () => {
    const { name: _omitted, ...body } = customerInput();
    expectValidation(await onboard(body), '/v1/customers', 'name');
  });

  test('every bad field is named at once', async () => {
    const res = await onboard<Problem>({ name: '', email: 'nope', kind: 'x', country: 'Germany', phone: '123' });
    expectValidation(res, '/v1/customers', 'email');
    expect(res.body.errors!.map((e) => e.field).sort()).toEqual(['country', 'email', 'kind', 'name', 'phone']);
  });

  test('malformed JSON text is a 400 naming the body', async () => {
    expectValidation(await send('POST', '/v1/customers', { body: '{"name": "Acme", ' }), '/v1/customers', 'body');
    expectValidation(await send('POST', '/v1/customers', { body: "{'name': 'single quotes'}" }), '/v1/customers', 'body');
  });

  test('a JSON body that is not an object is a 400', async () => {
    for (const body of ['null', '"text"', '42']) {
      expectValidation(await send('POST', '/v1/customers', { body }), '/v1/customers', 'body');
    }
    // An array is not a body either, even where every field is optional (an empty array has no unknown keys).
    expectValidation(await send('POST', '/v1/customers', { body: '[]' }), '/v1/customers', 'body');
    const customer = await send<CustomerResource>('POST', '/v1/customers', { body: JSON.stringify(customerInput()) });
    await send('POST', `/v1/customers/${customer.body.id}/activate`);
    const promote = `/v1/customers/${customer.body.id}/promote`;
    expectValidation(await send('POST', promote, { body: '[]' }), promote, 'body');
  });

  test('a body sent as anything but JSON, or without a Content-Type, is 415 saying application/json is expected', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', null]) {
      const res = await send<Problem>('POST', '/v1/customers', { body: JSON.stringify(customerInput()), contentType });
      expect(res.status).toBe(415);
      expect(res.headers.get('content-type')).toStartWith('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/unsupported_media_type', code: 'unsupported_media_type', status: 415, expected: 'application/json', errors: [{ field: 'Content-Type', message: 'must be application/json' }] });
      expect(res.body.detail).toContain('application/json');
    }
    // A route whose body is required refuses a request without one the same way.
    expect((await send('POST', '/v1/plans')).status).toBe(415);
    // JSON with a charset, or a +json type, is JSON.
    expect((await send('POST', '/v1/customers', { body: JSON.stringify(customerInput()), contentType: 'application/json; charset=utf-8' })).status).toBe(201);
    // A route whose body is optional still takes none at all.
    const c = await onboard(customerInput());
    const promote = await send<Problem>('POST', `/v1/customers/${c.body.id}/promote`);
    expect(promote.body.code).toBe('invalid_transition');
    expect((await send('POST', `/v1/customers/${c.body.id}/promote`, { body: '{}', contentType: 'text/plain' })).status).toBe(415);
  });

  test('hostile text is treated as data, never as SQL', async () => {
    const hostile = customerInput({ name: "Robert'); DROP TABLE customers;--" });
    const created = await onboard(hostile);
    expect(created.status).toBe(201);
    expect(created.body.name).toBe("Robert'); DROP TABLE customers;--");
    const found = await send<Page<CustomerResource>>('GET', `/v1/customers?q=${encodeURIComponent("'); DROP")}`);
    expect(found.status).toBe(200);
    expect(found.body.data.map((c: { id: string }) => c.id)).toEqual([created.body.id]);
  });
});

describe('query and path input', () => {
  for (const list of ['/v1/customers', '/v1/events', '/v1/audit', '/v1/operators']) {
    test(`${list}: limit=0, limit=101 and a non-number limit are 400 naming limit`, async () => {
      for (const limit of ['0', '101', 'ten', '-1', '1.5']) {
        expectValidation(await send('GET', `${list}?limit=${limit}`), list, 'limit');
      }
      expect((await send('GET', `${list}?limit=100`)).status).toBe(200);
      expect((await send('GET', `${list}?limit=1`)).status).toBe(200);
    });

    test(`${list}: a cursor this list did not hand out is a 400 naming cursor`, async () => {
      for (const cursor of ['not-a-cursor!', btoa('42'), btoa('{"id":1}'), 'x'.repeat(201)]) {
        expectValidation(await send('GET', `${list}?cursor=${encodeURIComponent(cursor)}`), list, 'cursor');
      }
    });
  }

  test('unknown filter values are 400 naming the filter', async () => {
    expectValidation(await send('GET', '/v1/customers?status=sleeping'), '/v1/customers', 'status');
    expectValidation(await send('GET', '/v1/customers?segment=diamond'), '/v1/customers', 'segment');
    expectValidation(await send('GET', '/v1/customers?kind=robot'), '/v1/customers', 'kind');
    expectValidation(await send('GET', '/v1/customers?email=nope'), '/v1/customers', 'email');
    expectValidation(await send('GET', '/v1/events?type=customer.exploded'), '/v1/events', 'type');
  });

  test('a malformed path id is a 400 naming it', async () => {
    expectValidation(await send('GET', '/v1/customers/123'), '/v1/customers/123', 'id');
    expectValidation(await send('POST', '/v1/customers/usr_01ARZ3NDEKTSV4RRFFQ69G5FAV/activate'), '/v1/customers/usr_01ARZ3NDEKTSV4RRFFQ69G5FAV/activate', 'id');
    const c = await onboard(customerInput());
    expectValidation(await send('DELETE', `/v1/customers/${c.body.id}/users/bob`), `/v1/customers/${c.body.id}/users/bob`, 'userId');
  });

  test('a malformed Idempotency-Key is a 400 naming the header', async () => {
    const res = await send('POST', '/v1/customers', { body: JSON.stringify(customerInput()), headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    expectValidation(res, '/v1/customers', 'Idempotency-Key');
  });
});

describe('unknown routes and errors', () => {
  test('an unknown route is a 404 problem, with or without the /v1 prefix', async () => {
    for (const path of ['/nothing-here', '/v1/nothing-here', '/v1/customers/cus_01ARZ3NDEKTSV4RRFFQ69G5FAV/unknown']) {
      const res = await send<Problem>('GET', path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toStartWith('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/not_found', status: 404, code: 'not_found', instance: path });
      expect(typeof res.body.title).toBe('string');
      expect(typeof res.body.detail).toBe('string');
      expect<string | null | undefined>(res.body.request_id).toBe(res.headers.get('x-request-id'));
    }
  });

  test('a caller-supplied X-Request-Id is echoed in the header and in the problem', async () => {
    const res = await send<Problem>('GET', '/v1/customers?limit=0', { headers: { 'X-Request-Id': 'trace-abc.123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(res.body.request_id).toBe('trace-abc.123');
    const weird = await send<Problem>('GET', '/v1/customers?limit=0', { headers: { 'X-Request-Id': 'has spaces <script>' } });
    expect(weird.headers.get('x-request-id')).not.toContain('<script>');
    expect<string | null | undefined>(weird.body.request_id).toBe(weird.headers.get('x-request-id'));
  });

  test('a not-found problem names the missing resource in its detail', async () => {
    const res = await send<Problem>('GET', '/v1/customers/cus_01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'not_found', status: 404, instance: '/v1/customers/cus_01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    expect(res.body.detail).toContain('cus_01ARZ3NDEKTSV4RRFFQ69G5FAV');
  });

  test('every problem type links to a description', async () => {
    const res = await send('GET', '/problems/validation');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: '/problems/validation', code: 'validation', status: 400 });
    expect((await send('GET', '/problems/nonsense')).status).toBe(404);
  });
});

describe('body size', () => {
  test('a body over 1 MiB answers 413 problem+json naming the body', async () => {
    const p = await createTestPlatform();
    try {
      const res = await p.call<Problem>('POST', '/v1/customers', { body: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }) });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('payload_too_large');
      expect(res.body.errors![0]!.field).toBe('body');
    } finally {
      await p.close();
    }
  });
});

describe('control characters in text fields', () => {
  const CONTROLS = ['\u0000', '\u0001', '\u0007', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f'];
  const json = (body: unknown) => ({ body: JSON.stringify(body) });
  const tag = () => crypto.randomUUID().slice(0, 8);

  test('a NUL byte (or any C0/C1 control or DEL) in a customer name is a 400 naming name, not a truncated name', async () => {
    for (const control of CONTROLS) {
      const body = customerInput({ name: `Nul${control}Corp` });
      const res = await onboard(body);
      expectValidation(res, '/v1/customers', 'name');
      expect((await send<Page<CustomerResource>>('GET', `/v1/customers?email=${encodeURIComponent(body.email)}`)).body.data).toEqual([]);
    }
  });

  test('other text is kept exactly, including non-ASCII letters, emoji and a no-break space', async () => {
    const name = "Müller & Söhne\u00a0— Zürich O'Brien 😀 東京";
    const created = await onboard(customerInput({ name, metadata: { note: 'señor — ok' } }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, metadata: { note: 'señor — ok' } });
  });

  test('every single-line text field refuses control characters with a 400 naming the field', async () => {
    const customer = (await onboard(customerInput())).body;
    const operator = await send<OperatorResource>('POST', '/v1/operators', json({ email: `op-${tag()}@ops.example`, name: 'Op', role: 'viewer', password: 'a-long-enough-password' }));
    expect(operator.status).toBe(201);
    const plan = await send<PlanResource>('POST', '/v1/plans', json({ code: `p-${tag()}`, name: 'Pro', price_amount: 100, currency: 'EUR', interval: 'month' }));
    expect(plan.status).toBe(201);
    expect((await send('POST', `/v1/customers/${customer.id}/activate`)).status).toBe(200);

    const cases: [string, string, unknown, string][] = [
      ['PATCH', `/v1/customers/${customer.id}`, { name: 'Nul\u0000Corp' }, 'name'],
      ['POST', '/v1/customers', customerInput({ metadata: { note: 'a\u0000b' } }), 'metadata.note'],
      ['PATCH', `/v1/customers/${customer.id}`, { metadata: { note: 'line\nbreak' } }, 'metadata.note'],
      ['POST', `/v1/customers/${customer.id}/promote`, { reason: 'because\u0085' }, 'reason'],
      ['POST', `/v1/customers/${customer.id}/users`, { email: `u-${tag()}@people.example`, name: 'Nul\u0000User', role: 'member' }, 'name'],
      ['POST', '/v1/operators', { email: `op-${tag()}@ops.example`, name: 'Nul\u0000Op', role: 'viewer', password: 'a-long-enough-password' }, 'name'],
      ['PATCH', `/v1/operators/${operator.body.id}`, { name: 'Del\u007fOp' }, 'name'],
      ['POST', '/v1/plans', { code: `p-${tag()}`, name: 'Nul\u0000Plan', price_amount: 100, currency: 'EUR', interval: 'month' }, 'name'],
      ['POST', '/v1/plans', { code: `p-${tag()}`, name: 'Pro', price_amount: 100, currency: 'EUR', interval: 'month', features: ['sso\u0000'] }, 'features.0'],
      ['PATCH', `/v1/plans/${plan.body.id}`, { name: 'Tab\tPlan' }, 'name'],
      ['POST', '/v1/usage', { records: [{ id: `u-${tag()}`, customer_id: customer.id, model: 'gpt\u0000x', tokens: 10, occurred_at: '2026-01-01T00:00:00Z' }] }, 'records.0.model'],
    ];
    for (const [method, path, body, field] of cases) expectValidation(await send(method, path, json(body)), path, field);

    // Nothing changed.
    expect((await send<CustomerResource>('GET', `/v1/customers/${customer.id}`)).body.name).toBe(customer.name);
    expect((await send<PlanResource>('GET', `/v1/plans/${plan.body.id}`)).body.version).toBe(1);
  });
});

describe('email addresses', () => {
  const json = (body: unknown) => ({ body: JSON.stringify(body) });
  const tag = () => crypto.randomUUID().slice(0, 8);

  test("valid emails are accepted for customers, users and operators (o'brien@…, an IDNA domain)", async () => {
    for (const address of ["o'brien@example.com", 'user@xn--mller-kva.de']) {
      const local = `${tag()}.${address}`;
      const customer = await onboard(customerInput({ email: local }));
      expect(customer.status).toBe(201);
      expect(customer.body.email).toBe(local);
      const user = await send<UserResource>('POST', `/v1/customers/${customer.body.id}/users`, json({ email: `u${local}`, role: 'member' }));
      expect(user.status).toBe(201);
      expect(user.body.email).toBe(`u${local}`);
      const operator = await send<OperatorResource>('POST', '/v1/operators', json({ email: `op${local}`, name: 'Op', role: 'viewer', password: 'a-long-enough-password' }));
      expect(operator.status).toBe(201);
      expect(operator.body.email).toBe(`op${local}`);
    }
  });

  test('a Unicode domain is stored in its punycode (IDNA) form, so both spellings are one address', async () => {
    const local = `m-${tag()}`;
    const created = await onboard(customerInput({ email: `${local}@Müller.de` }));
    expect(created.status).toBe(201);
    expect(created.body.email).toBe(`${local}@xn--mller-kva.de`);
    const again = await onboard(customerInput({ email: `${local}@xn--mller-kva.de` }));
    expect(again.status).toBe(409);
  });

  test('garbage addresses are still a 400 naming email', async () => {
    const garbage = ['a@b', '@x.com', 'a b@c.com', 'a@@b.com', 'plain', 'a@example..com', 'a..b@example.com', 'a@-example.com', `${'a'.repeat(65)}@example.com`, `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(60)}.com`, 'Name <a@example.com>', '"a\u0000b"@example.com'];
    const c = (await onboard(customerInput())).body;
    for (const address of garbage) {
      expectValidation(await onboard(customerInput({ email: address })), '/v1/customers', 'email');
      expectValidation(await send('POST', `/v1/customers/${c.id}/users`, json({ email: address, role: 'member' })), `/v1/customers/${c.id}/users`, 'email');
      expectValidation(await send('POST', '/v1/operators', json({ email: address, name: 'Op', role: 'viewer', password: 'a-long-enough-password' })), '/v1/operators', 'email');
    }
  });
});

const openApi = async () => (await send<OpenApiDocument>('GET', '/openapi.json')).body;
const ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const ID_PREFIX: Record<string, string> = { customers: 'cus', plans: 'pln', invoices: 'inv', payments: 'pay', subscriptions: 'sub', operators: 'op', users: 'usr', webhooks: 'whe', deliveries: 'whd', entitlements: 'feature', 'test-clocks': 'clk', coupons: 'cpn', 'usage-thresholds': 'uth' };

/** A concrete path for an OpenAPI path template, each `{param}` a well-formed id of the resource named before it. */
function concretePath(template: string): string {
  const parts = template.split('/');
  return parts
    .map((part, i) => {
      if (!part.startsWith('{')) return part;
      // Meters are addressed by their code, not an id: the built-in one always exists.
      if (parts[i - 1] === 'meters') return 'ai_tokens';
      const prefix = ID_PREFIX[parts[i - 1]!];
      if (!prefix) throw new Error(`no id prefix known for ${part} in ${template}: add it to ID_PREFIX`);
      return `${prefix}_${ULID}`;
    })
    .join('/');
}

describe('an unknown method on a known path', () => {
  test('is 405 with an Allow header listing the methods the path answers, for every documented path', async () => {
    const doc = await openApi();
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
    for (const [template, operations] of Object.entries(doc.paths)) {
      const documented = Object.keys(operations).map((m) => m.toUpperCase());
      const method = ['PUT', 'DELETE', 'PATCH', 'POST'].find((m) => !documented.includes(m))!;
      const path = template.replaceAll(/\{[^}]+\}/g, 'x');
      const res = await send(method, path);
      expect({ path, method, status: res.status }).toEqual({ path, method, status: 405 });
      expect(res.headers.get('content-type')).toStartWith('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/method_not_allowed', code: 'method_not_allowed', status: 405, instance: path });
      const expected = documented.includes('GET') ? [...documented, 'HEAD'] : documented;
      expect(res.headers.get('allow')!.split(', ').sort()).toEqual(expected.sort());
    }
  });

  test('a path that no route answers is still 404', async () => {
    expect((await send('PUT', '/v1/nothing-here')).status).toBe(404);
    expect((await send('DELETE', `/v1/customers/cus_${ULID}/unknown`)).status).toBe(404);
  });
});

const DEFAULT_MESSAGE = /^(Expected|Invalid)/;

describe('every validation message is a sentence about its field', () => {
  test('bad bodies and queries across routes never answer with valibot\'s raw messages', async () => {
    const c = await onboard(customerInput());
    const customer = c.body.id as string;
    const requests: [string, string, unknown?][] = [
      ['POST', '/v1/customers', { name: 42, email: 7, kind: 'government', country: ['DE'], phone: false, metadata: { nested: { a: 1 }, ['k'.repeat(41)]: 'x' }, tax_rate_bps: 1.5, payment_method: 'x' }],
      ['POST', '/v1/customers', []],
      ['POST', '/v1/customers', 'text'],
      ['PATCH', `/v1/customers/${customer}`, { name: '', tax_rate_bps: 10_001, metadata: 'x' }],
      ['PATCH', `/v1/customers/${customer}`, {}],
      ['POST', '/v1/plans', { code: '', name: 'x'.repeat(201), price_amount: -1, currency: 'euro', interval: 'week', trial_days: 366, included_tokens: 0.5, overage_price_per_1k: 'ten', quota_policy: 'maybe', features: ['a', 'a', ''] }],
      ['POST', '/v1/plans', { features: 'a' }],
      ['POST', `/v1/customers/${customer}/users`, { email: 'x', role: 'god', invite: 'yes', name: '' }],
      ['POST', '/v1/subscriptions', { customer_id: 1, plan_id: 'pln_x', trial: 'no' }],
      ['POST', '/v1/usage', { records: [] }],
      ['POST', '/v1/usage', { records: 'x' }],
      ['POST', '/v1/usage', { records: [{ id: '', customer_id: customer, model: '', tokens: 0, occurred_at: 'yesterday' }, { tokens: 1_000_000_001 }, 5] }],
      ['POST', '/v1/operators', { email: 'x', name: 'x', role: 'root', password: 'short' }],
      ['GET', '/v1/customers?limit=101'],
      ['GET', '/v1/customers?limit=0&q=&email=nope&status=x'],
      ['GET', '/v1/plans?limit=ten&status=x'],
      ['GET', '/v1/invoices?status=x&customer_id=1'],
      ['GET', '/v1/events?type=customer.exploded&limit=1.5'],
      ['GET', `/v1/subscriptions/sub_${ULID}/usage?period_start=yesterday`],
      ['GET', '/v1/customers/123'],
    ];
    const seen: string[] = [];
    for (const [method, path, body] of requests) {
      const res = await send<Problem>(method, path, body === undefined ? {} : { body: JSON.stringify(body) });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 400 });
      for (const issue of res.body.errors!) {
        expect({ path, ...issue }).not.toEqual({ path, field: issue.field, message: expect.stringMatching(DEFAULT_MESSAGE) });
        seen.push(`${issue.field}: ${issue.message}`);
      }
      expect(res.body.detail).not.toMatch(/Expected|Invalid/);
    }
    expect(seen).toContain('limit: must be at most 100');
    expect(seen).toContain('limit: must be at least 1');
    expect(seen).toContain('name: must be a string');
    expect(seen).toContain('body: must be an object');
    expect(seen).toContain('q: must be at least 1 character');
    expect(seen).toContain('records.2: must be an object');
    expect(seen).toContain('records.1.customer_id: is required');
    expect(seen).toContain('metadata.nested: must be a string, a number, a boolean or null');
    expect(seen).toContain('metadata.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: must be at most 40 characters');
    // A schema's own message stays.
    expect(seen).toContain('tax_rate_bps: must be at most 10000 (100 %)');
  });
});

describe('one rule for every body: unknown keys are refused, naming them', () => {
  test('every route with a JSON body answers 400 naming an unknown key', async () => {
    const doc = await openApi();
    const bodyRoutes = Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.entries(ops).filter(([, op]) => op.requestBody?.content['application/json']).map(([method]) => [method.toUpperCase(), concretePath(template)] as const),
    );
    expect(bodyRoutes.length).toBeGreaterThanOrEqual(15);
    for (const [method, path] of bodyRoutes) {
      const res = await send<Problem>(method, path, { body: JSON.stringify({ surprise_field: 1 }) });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 400 });
      const issue = res.body.errors!.find((e) => e.field === 'surprise_field');
      expect({ method, path, issue }).toEqual({ method, path, issue: { field: 'surprise_field', message: expect.any(String) } });
      expect(issue!.message).not.toMatch(DEFAULT_MESSAGE);
    }
  });

  test('users: an unknown key next to valid ones is refused and nothing is created', async () => {
    const c = await onboard(customerInput());
    const res = await send<Problem>('POST', `/v1/customers/${c.body.id}/users`, { body: JSON.stringify({ email: 'new-user@acme.example', role: 'member', is_superuser: true }) });
    expectValidation(res, `/v1/customers/${c.body.id}/users`, 'is_superuser');
    expect(res.body.errors).toEqual([{ field: 'is_superuser', message: 'is not a known field' }]);
    const users = await send<Page<UserResource>>('GET', `/v1/customers/${c.body.id}/users`);
    expect(users.body.data.map((u) => u.email)).not.toContain('new-user@acme.example');
  });

  test('an unknown key inside a nested object is named by its path', async () => {
    const c = await onboard(customerInput());
    const record = { id: 'r-1', customer_id: c.body.id, model: 'gpt-x', tokens: 10, occurred_at: '2026-01-01T00:00:00Z', priority: 'high' };
    const res = await send('POST', '/v1/usage', { body: JSON.stringify({ records: [record] }) });
    expectValidation(res, '/v1/usage', 'records.0.priority');
  });
});

describe('a body that repeats a key is refused', () => {
  test('{"role":"viewer","role":"admin"} on the operators route is a 400 naming role, and no operator is created', async () => {
    const email = `dup-${Date.now()}@ops.example`;
    const text = `{"email":"${email}","name":"Dup","role":"viewer","password":"a-long-enough-password","role":"admin"}`;
    const res = await send<Problem>('POST', '/v1/operators', { body: text });
    expectValidation(res, '/v1/operators', 'role');
    expect(res.body.errors).toEqual([{ field: 'role', message: 'appears more than once' }]);
    const escaped = await send('POST', '/v1/operators', { body: text.replace('"role":"admin"', '"\\u0072ole":"admin"') });
    expectValidation(escaped, '/v1/operators', 'role');
    const list = await send<Page<OperatorResource>>('GET', '/v1/operators?limit=100');
    expect(list.body.data.map((o: { email: string }) => o.email)).not.toContain(email);
  });

  test('a key repeated deep inside the body is named by its path', async () => {
    const c = await onboard(customerInput());
    const record = `{"id":"r-1","customer_id":"${c.body.id}","model":"gpt-x","tokens":10,"tokens":100000,"occurred_at":"2026-01-01T00:00:00Z"}`;
    const res = await send<Problem>('POST', '/v1/usage', { body: `{"records":[${record.replace('"tokens":100000,', '')},${record}]}` });
    expectValidation(res, '/v1/usage', 'records.1.tokens');
    expect(res.body.errors).toEqual([{ field: 'records.1.tokens', message: 'appears more than once' }]);
    const metadata = await send('POST', '/v1/customers', { body: JSON.stringify(customerInput()).replace('{', '{"metadata":{"tier":"a","tier":"b"},') });
    expectValidation(metadata, '/v1/customers', 'metadata.tier');
  });
});

describe('text limits count characters as the API document does (code points)', () => {
  test('200 emoji fit a 200-character name; 201 do not, and the document says 200', async () => {
    const fits = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ name: '😀'.repeat(200) }) });
    expect(fits.status).toBe(201);
    expect(fits.body.name).toBe('😀'.repeat(200));
    const over = await p.call<Problem>('POST', '/v1/customers', { body: customerInput({ name: '😀'.repeat(201) }) });
    expect(over.status).toBe(400);
    expect(JSON.stringify(over.body)).toContain('must be at most 200 characters');
    const doc = (await p.call<OpenApiDocument>('GET', '/openapi.json')).body as unknown as { paths: Record<string, { post?: { requestBody: { content: Record<string, { schema: { properties: Record<string, { maxLength?: number }> } }> } } }> };
    expect(doc.paths['/v1/customers']!.post!.requestBody.content['application/json']!.schema.properties.name!.maxLength).toBe(200);
  });
});

describe('every date-time the API accepts is a real calendar date', () => {
  type Schema = { format?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] };
  interface DateInput { method: string; path: string; field: string; in: 'body' | 'query' }

  /** The dotted paths (`records.0.occurred_at`) of every `format: date-time` in a body schema. */
  function dateFields(schema: Schema | undefined, at: string, out: string[]) {
    if (!schema) return;
    if (schema.format === 'date-time') out.push(at);
    for (const [key, inner] of Object.entries(schema.properties ?? {})) dateFields(inner, at ? `${at}.${key}` : key, out);
    if (schema.items) dateFields(schema.items, `${at}.0`, out);
    for (const alt of schema.anyOf ?? []) dateFields(alt, at, out);
  }

  /** A body that sets `field` (dotted, with array indexes) to `value`. */
  function bodyWith(field: string, value: string): Record<string, unknown> {
    const [head, ...rest] = field.split('.');
    if (rest.length === 0) return { [head!]: value };
    const inner = bodyWith(rest.slice(/^\d+$/.test(rest[0]!) ? 1 : 0).join('.'), value);
    return { [head!]: /^\d+$/.test(rest[0]!) ? [inner] : inner };
  }

  /** Every date-time input of the document, with a well-formed id in each path parameter (`cus_000…`), so validation reaches the date. */
  async function dateInputs(): Promise<DateInput[]> {
    const doc = (await p.call<{ paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: Schema & { pattern?: string } }[]; requestBody?: { content: Record<string, { schema: Schema }> } }>> }>('GET', '/openapi.json', { token: null })).body;
    const inputs: DateInput[] = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
          const prefix = /^\^(\w+_)/.exec(op.parameters?.find((x) => x.in === 'path' && x.name === name)?.schema.pattern ?? '')?.[1] ?? '';
          return `${prefix}${'0'.repeat(26)}`;
        });
        const fields: string[] = [];
        dateFields(op.requestBody?.content['application/json']?.schema, '', fields);
        for (const field of fields) inputs.push({ method: method.toUpperCase(), path, field, in: 'body' });
        for (const param of op.parameters ?? []) if (param.in === 'query' && param.schema.format === 'date-time') inputs.push({ method: method.toUpperCase(), path, field: param.name, in: 'query' });
      }
    }
    return inputs;
  }

  const sendDate = (input: DateInput, value: string) =>
    input.in === 'query'
      ? p.call<Problem>(input.method, `${input.path}?${input.field}=${encodeURIComponent(value)}`)
      : p.call<Problem>(input.method, input.path, { body: bodyWith(input.field, value) });

  test('2026-02-30, 2026-02-29 and 2026-04-31 are a 400 naming the field; 2024-02-29 is accepted', async () => {
    const inputs = await dateInputs();
    expect(inputs.map((x) => `${x.method} ${x.path.replace(/\w+_0{26}/g, '{id}')} ${x.field}`)).toEqual(
      expect.arrayContaining(['POST /v1/usage records.0.occurred_at', 'POST /v1/api-keys expires_at', 'POST /v1/coupons redeem_by', 'POST /v1/test-clocks frozen_time', 'GET /v1/subscriptions/{id}/usage period_start']),
    );
    for (const input of inputs) {
      for (const impossible of ['2026-02-30T00:00:00Z', '2026-02-29T12:00:00.000Z', '2026-04-31T00:00:00+02:00']) {
        const res = await sendDate(input, impossible);
        expect({ ...input, status: res.status }).toEqual({ ...input, status: 400 });
        const issue = res.body.errors?.find((e) => e.field === input.field);
        expect({ ...input, message: issue?.message }).toEqual({ ...input, message: `must be a real calendar date; ${impossible.slice(0, 10)} does not exist` });
      }
      const leap = await sendDate(input, '2024-02-29T00:00:00Z');
      expect({ ...input, named: (leap.body.errors ?? []).some((e) => e.field === input.field) }).toEqual({ ...input, named: false });
    }
  });
});

describe('text must be well-formed Unicode: nothing is stored as U+FFFD', () => {
  /** Sends raw bytes as a JSON body (what a client with a broken encoder sends). */
  async function sendBytes(path: string, bytes: Uint8Array<ArrayBuffer>) {
    const res = await p.app.request(path, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: bytes });
    return { status: res.status, headers: res.headers, text: '', body: (await res.json()) as Problem };
  }
  const bytesOf = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...new TextEncoder().encode(part)] : part)));
  const noCustomerNamed = async (email: string) => expect((await send<Page<CustomerResource>>('GET', `/v1/customers?email=${encodeURIComponent(email)}`)).body.data).toEqual([]);

  test('bytes that are not UTF-8 (0xC3 0x28, an encoded surrogate, 0xFF) are a 400 naming the field they are in; nothing is created', async () => {
    for (const bad of [[0xc3, 0x28], [0xed, 0xa0, 0x80], [0xff], [0xc0, 0xaf]]) {
      const input = customerInput();
      const res = await sendBytes('/v1/customers', bytesOf(`{"email":"${input.email}","kind":"sme","country":"DE","name":"Bad `, bad, ' GmbH"}'));
      expectValidation(res, '/v1/customers', 'name');
      expect(res.body.errors).toEqual([{ field: 'name', message: expect.stringContaining('must be valid UTF-8') }]);
      await noCustomerNamed(input.email);
    }
    const nested = await sendBytes('/v1/customers', bytesOf('{"name":"Fine","metadata":{"note":"', [0xc3, 0x28], '"}}'));
    expect(nested.body.errors).toEqual([{ field: 'metadata.note', message: expect.stringContaining('UTF-8') }]);
    const inKey = await sendBytes('/v1/customers', bytesOf('{"name":"Fine","metadata":{"k', [0xff], '":"v"}}'));
    expect(inKey.body.errors?.map((e) => e.field)).toEqual(['metadata']);
  });

  test('a JSON \\ud800 escape (a lone surrogate) in a value or a key is a 400 naming the field; a real pair (an emoji) is kept', async () => {
    for (const [body, field] of [
      [(email: string) => `{"email":"${email}","kind":"sme","country":"DE","name":"Lone \\ud800 GmbH"}`, 'name'],
      [(email: string) => `{"email":"${email}","kind":"sme","country":"DE","name":"Low \\udc00 first"}`, 'name'],
      [(email: string) => `{"email":"${email}","kind":"sme","country":"DE","name":"Fine","metadata":{"note":"x\\udbff"}}`, 'metadata.note'],
      [(email: string) => `{"email":"${email}","kind":"sme","country":"DE","name":"Fine","metadata":{"\\udfff":"v"}}`, 'metadata'],
    ] as const) {
      const input = customerInput();
      const res = await send<Problem>('POST', '/v1/customers', { body: body(input.email) });
      expectValidation(res, '/v1/customers', field);
      expect(res.body.errors).toEqual([{ field, message: expect.stringContaining('lone surrogate') }]);
      await noCustomerNamed(input.email);
    }
    const input = customerInput();
    const kept = await send<CustomerResource>('POST', '/v1/customers', { body: `{"email":"${input.email}","kind":"sme","country":"DE","name":"Smile \\ud83d\\ude00 GmbH"}` });
    expect(kept.status).toBe(201);
    expect(kept.body.name).toBe('Smile 😀 GmbH');
  });

  test('a query or path value whose percent-encoding is not UTF-8 is a 400 naming it', async () => {
    const query = await send<Problem>('GET', '/v1/customers?q=%C3%28');
    expectValidation(query, '/v1/customers', 'q');
    expect(query.body.errors).toEqual([{ field: 'q', message: expect.stringContaining('UTF-8') }]);
    expectValidation(await send('GET', '/v1/customers/%FF'), '/v1/customers/%FF', 'id');
    expect((await send('GET', '/v1/customers?q=%E2%82%AC')).status).toBe(200);
  });

  test("a customer's key gets the same 400 on a list forced to its customer, not a search for U+FFFD", async () => {
    const customer = (await send<CustomerResource>('POST', '/v1/customers', { body: JSON.stringify(customerInput()) })).body;
    const key = (await send<{ key: string }>('POST', '/v1/api-keys', { body: JSON.stringify({ name: 'reader', scopes: ['customers:read'], customer_id: customer.id }) })).body.key;
    const res = await send<Problem>('GET', '/v1/customers?q=%C3%28', { headers: { Authorization: `Bearer ${key}` } });
    expectValidation(res, '/v1/customers', 'q');
    expect((await send<{ data: unknown[] }>('GET', '/v1/customers?q=%E2%82%AC', { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
  });
});

describe('a query parameter the route does not take', () => {
  test('is a 400 naming it, with the parameters the route takes, instead of being ignored', async () => {
    const res = await send<Problem>('GET', '/v1/invoices?stauts=draft&limit=5');
    expectValidation(res, '/v1/invoices', 'stauts');
    expect(res.body.errors).toEqual([{ field: 'stauts', message: expect.stringMatching(/^is not a parameter of this route, which takes .*status/) }]);
    // Every wrong part is named at once.
    const both = await send<Problem>('GET', '/v1/customers?junk=1&limit=0');
    expect(both.body.errors?.map((e) => e.field).sort()).toEqual(['junk', 'limit']);
    expect((await send('GET', '/v1/invoices?status=draft&limit=5')).status).toBe(200);
  });
});
