import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';

let p: TestPlatform;
let token: string;
beforeAll(async () => {
  p = await createTestPlatform();
  token = await p.tokenFor('admin');
});
afterAll(() => p.close());

const LEAKS = [/SELECT/i, /sqlite/i, /libsql/i, /\bat .*[/\\][^\s]*\.(ts|js|mjs):\d+/, /node_modules/];

/** Calls the app with raw text so the exact bytes the client sees can be checked for leaks. */
async function send(method: string, path: string, options: { body?: string; contentType?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
  const res = await p.app.request(path, { method, headers, body: options.body });
  const text = await res.text();
  for (const leak of LEAKS) expect(text).not.toMatch(leak);
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Asserts a complete RFC 9457 problem for a 400 whose `errors` names `field`. */
function expectValidation(res: Awaited<ReturnType<typeof send>>, path: string, field: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  expect(res.body).toMatchObject({ type: '/problems/validation', status: 400, code: 'validation', instance: path });
  expect(typeof res.body.title).toBe('string');
  expect(res.body.title.length).toBeGreaterThan(0);
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.detail.length).toBeGreaterThan(0);
  expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
  expect(Array.isArray(res.body.errors)).toBe(true);
  for (const issue of res.body.errors) {
    expect(typeof issue.field).toBe('string');
    expect(typeof issue.message).toBe('string');
  }
  expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

const onboard = (body: unknown) => send('POST', '/v1/customers', { body: JSON.stringify(body) });

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
      if (email.includes('@')) expect((await send('GET', `/v1/customers?email=${encodeURIComponent(email)}`)).body.data).toEqual([]);
    });
  }

  test('a missing name is a 400 naming name', async () => {
    const { name: _omitted, ...body } = customerInput();
    expectValidation(await onboard(body), '/v1/customers', 'name');
  });

  test('every bad field is named at once', async () => {
    const res = await onboard({ name: '', email: 'nope', kind: 'x', country: 'Germany', phone: '123' });
    expectValidation(res, '/v1/customers', 'email');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['country', 'email', 'kind', 'name', 'phone']);
  });

  test('malformed JSON text is a 400 naming the body', async () => {
    expectValidation(await send('POST', '/v1/customers', { body: '{"name": "Acme", ' }), '/v1/customers', 'body');
    expectValidation(await send('POST', '/v1/customers', { body: "{'name': 'single quotes'}" }), '/v1/customers', 'body');
  });

  test('a JSON body that is not an object is a 400', async () => {
    for (const body of ['null', '"text"', '42']) {
      expectValidation(await send('POST', '/v1/customers', { body }), '/v1/customers', 'body');
    }
    // An array is not a customer either: each required field is missing.
    expectValidation(await send('POST', '/v1/customers', { body: '[]' }), '/v1/customers', 'name');
  });

  test('a body that is not sent as JSON is refused', async () => {
    const res = await send('POST', '/v1/customers', { body: JSON.stringify(customerInput()), contentType: 'text/plain' });
    expect([400, 415]).toContain(res.status);
    expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  });

  test('hostile text is treated as data, never as SQL', async () => {
    const hostile = customerInput({ name: "Robert'); DROP TABLE customers;--" });
    const created = await onboard(hostile);
    expect(created.status).toBe(201);
    expect(created.body.name).toBe("Robert'); DROP TABLE customers;--");
    const found = await send('GET', `/v1/customers?q=${encodeURIComponent("'); DROP")}`);
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
      const res = await send('GET', path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toStartWith('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/not_found', status: 404, code: 'not_found', instance: path });
      expect(typeof res.body.title).toBe('string');
      expect(typeof res.body.detail).toBe('string');
      expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
    }
  });

  test('a caller-supplied X-Request-Id is echoed in the header and in the problem', async () => {
    const res = await send('GET', '/v1/customers?limit=0', { headers: { 'X-Request-Id': 'trace-abc.123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(res.body.request_id).toBe('trace-abc.123');
    const weird = await send('GET', '/v1/customers?limit=0', { headers: { 'X-Request-Id': 'has spaces <script>' } });
    expect(weird.headers.get('x-request-id')).not.toContain('<script>');
    expect(weird.body.request_id).toBe(weird.headers.get('x-request-id'));
  });

  test('a not-found problem names the missing resource in its detail', async () => {
    const res = await send('GET', '/v1/customers/cus_01ARZ3NDEKTSV4RRFFQ69G5FAV');
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
      const res = await p.call('POST', '/v1/customers', { body: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }) });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('payload_too_large');
      expect(res.body.errors[0].field).toBe('body');
    } finally {
      await p.close();
    }
  });
});

describe('issue 8: control characters in text fields', () => {
  const CONTROLS = ['\u0000', '\u0001', '\u0007', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f'];
  const json = (body: unknown) => ({ body: JSON.stringify(body) });
  const tag = () => crypto.randomUUID().slice(0, 8);

  test('issue 8: a NUL byte (or any C0/C1 control or DEL) in a customer name is a 400 naming name, not a truncated name', async () => {
    for (const control of CONTROLS) {
      const body = customerInput({ name: `Nul${control}Corp` });
      const res = await onboard(body);
      expectValidation(res, '/v1/customers', 'name');
      expect((await send('GET', `/v1/customers?email=${encodeURIComponent(body.email)}`)).body.data).toEqual([]);
    }
  });

  test('issue 8: other text is kept exactly, including non-ASCII letters, emoji and a no-break space', async () => {
    const name = "Müller & Söhne\u00a0— Zürich O'Brien 😀 東京";
    const created = await onboard(customerInput({ name, metadata: { note: 'señor — ok' } }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, metadata: { note: 'señor — ok' } });
  });

  test('issue 8: every single-line text field refuses control characters with a 400 naming the field', async () => {
    const customer = (await onboard(customerInput())).body;
    const operator = await send('POST', '/v1/operators', json({ email: `op-${tag()}@ops.example`, name: 'Op', role: 'viewer', password: 'a-long-enough-password' }));
    expect(operator.status).toBe(201);
    const plan = await send('POST', '/v1/plans', json({ code: `p-${tag()}`, name: 'Pro', price_amount: 100, currency: 'EUR', interval: 'month' }));
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
    expect((await send('GET', `/v1/customers/${customer.id}`)).body.name).toBe(customer.name);
    expect((await send('GET', `/v1/plans/${plan.body.id}`)).body.version).toBe(1);
  });
});

describe('issue 8: email addresses', () => {
  const json = (body: unknown) => ({ body: JSON.stringify(body) });
  const tag = () => crypto.randomUUID().slice(0, 8);

  test("issue 8: valid emails are accepted for customers, users and operators (o'brien@…, an IDNA domain)", async () => {
    for (const address of ["o'brien@example.com", 'user@xn--mller-kva.de']) {
      const local = `${tag()}.${address}`;
      const customer = await onboard(customerInput({ email: local }));
      expect(customer.status).toBe(201);
      expect(customer.body.email).toBe(local);
      const user = await send('POST', `/v1/customers/${customer.body.id}/users`, json({ email: `u${local}`, role: 'member' }));
      expect(user.status).toBe(201);
      expect(user.body.email).toBe(`u${local}`);
      const operator = await send('POST', '/v1/operators', json({ email: `op${local}`, name: 'Op', role: 'viewer', password: 'a-long-enough-password' }));
      expect(operator.status).toBe(201);
      expect(operator.body.email).toBe(`op${local}`);
    }
  });

  test('issue 8: a Unicode domain is stored in its punycode (IDNA) form, so both spellings are one address', async () => {
    const local = `m-${tag()}`;
    const created = await onboard(customerInput({ email: `${local}@Müller.de` }));
    expect(created.status).toBe(201);
    expect(created.body.email).toBe(`${local}@xn--mller-kva.de`);
    const again = await onboard(customerInput({ email: `${local}@xn--mller-kva.de` }));
    expect(again.status).toBe(409);
  });

  test('issue 8: garbage addresses are still a 400 naming email', async () => {
    const garbage = ['a@b', '@x.com', 'a b@c.com', 'a@@b.com', 'plain', 'a@example..com', 'a..b@example.com', 'a@-example.com', `${'a'.repeat(65)}@example.com`, `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(60)}.com`, 'Name <a@example.com>', '"a\u0000b"@example.com'];
    const c = (await onboard(customerInput())).body;
    for (const address of garbage) {
      expectValidation(await onboard(customerInput({ email: address })), '/v1/customers', 'email');
      expectValidation(await send('POST', `/v1/customers/${c.id}/users`, json({ email: address, role: 'member' })), `/v1/customers/${c.id}/users`, 'email');
      expectValidation(await send('POST', '/v1/operators', json({ email: address, name: 'Op', role: 'viewer', password: 'a-long-enough-password' })), '/v1/operators', 'email');
    }
  });
});
