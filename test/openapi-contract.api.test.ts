import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/** A JSON Schema as these tests read it: keywords by name. */
type Schema = Record<string, unknown> & { properties?: Record<string, Schema> };
interface Parameter { name: string; in: string; schema: Schema }
interface Operation { parameters?: Parameter[]; responses?: Record<string, unknown>; requestBody?: { content: Record<string, { schema: Schema }> } }

let p: TestPlatform;
let paths: Record<string, Record<string, Operation>>;
beforeAll(async () => {
  p = await createTestPlatform();
  paths = (await p.call<{ paths: typeof paths }>('GET', '/openapi.json', { token: null })).body.paths;
});
afterAll(() => p.close());

const param = (path: string, method: string, name: string) => paths[path]![method]!.parameters!.find((x) => x.name === name)!.schema;
const body = (path: string, method: string) => paths[path]![method]!.requestBody!.content['application/json']!.schema;

describe('/openapi.json states the limits the API enforces', () => {
  test('every list: limit is an integer from 1 to 100, cursor is unpadded base64', async () => {
    let lists = 0;
    for (const [path, ops] of Object.entries(paths)) {
      const limit = ops.get?.parameters?.find((x) => x.name === 'limit');
      if (!limit) continue;
      lists++;
      expect({ path, ...limit.schema }).toMatchObject({ path, type: 'integer', minimum: 1, maximum: 100 });
      expect(limit.schema.pattern).toBeUndefined();
      expect({ path, ...param(path, 'get', 'cursor') }).toMatchObject({ path, type: 'string', pattern: '^[A-Za-z0-9+/]{1,200}$' });
    }
    expect(lists).toBeGreaterThan(5);
    for (const limit of ['0', '101', 'ten']) expect((await p.call('GET', `/v1/customers?limit=${limit}`)).status).toBe(400);
    expect((await p.call('GET', '/v1/customers?cursor=not%20base64!')).status).toBe(400);
  });

  test('a plan version is an integer of at least 1', async () => {
    expect(param('/v1/plans/{id}', 'get', 'version')).toMatchObject({ type: 'integer', minimum: 1 });
  });

  test("Idempotency-Key: 1 to 255 printable ASCII characters, as the middleware checks", async () => {
    const schema = param('/v1/customers', 'post', 'Idempotency-Key');
    expect(schema).toMatchObject({ type: 'string', minLength: 1, maxLength: 255 });
    const pattern = new RegExp(schema.pattern as string);
    expect(pattern.test('key-1_ABC~')).toBe(true);
    expect(pattern.test('with space')).toBe(false);
    expect(pattern.test('é')).toBe(false);
    const res = await p.call('POST', '/v1/customers', { headers: { 'Idempotency-Key': 'with space' }, body: {} });
    expect(res.status).toBe(400);
  });

  test('PATCH bodies must change at least one field', async () => {
    for (const path of ['/v1/customers/{id}', '/v1/plans/{id}', '/v1/operators/{id}', '/v1/customers/{id}/webhooks/{wid}']) {
      expect({ path, minProperties: body(path, 'patch').minProperties }).toEqual({ path, minProperties: 1 });
    }
  });

  test('every operation with a JSON body documents 415, and the API answers it', async () => {
    expect(Object.keys(paths['/v1/customers/{id}']!.patch!.responses ?? {})).toContain('415');
    expect(Object.keys(paths['/v1/customers']!.post!.responses ?? {})).toContain('415');
    const res = await p.call('POST', '/v1/customers', { body: 'name=x', headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(415);
  });

  test('every write documents the 503 a full or read-only database answers', () => {
    const writes = Object.entries(paths).flatMap(([path, ops]) => Object.entries(ops).filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method)).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));
    expect(writes.length).toBeGreaterThan(40);
    expect(writes.filter(({ op }) => !Object.keys(op.responses ?? {}).includes('503')).map(({ route }) => route)).toEqual([]);
  });

  test('plan features are unique', () => {
    expect(body('/v1/plans', 'post').properties!.features).toMatchObject({ type: 'array', uniqueItems: true });
    expect(body('/v1/plans/{id}', 'patch').properties!.features).toMatchObject({ type: 'array', uniqueItems: true });
  });

  test('API key scopes are unique: the document says uniqueItems, and a repeated scope is a 400 naming scopes', async () => {
    expect(body('/v1/api-keys', 'post').properties!.scopes).toMatchObject({ type: 'array', uniqueItems: true });
    const res = await p.call<{ errors: { field: string }[] }>('POST', '/v1/api-keys', { body: { name: 'twice', scopes: ['customers:read', 'customers:read'] } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.field)).toEqual(['scopes']);
  });

  test('emails are format email, in bodies and in the customer filter', () => {
    expect(body('/v1/customers', 'post').properties!.email).toMatchObject({ type: 'string', format: 'email', maxLength: 254 });
    expect(body('/v1/operators', 'post').properties!.email).toMatchObject({ format: 'email' });
    expect(param('/v1/customers', 'get', 'email')).toMatchObject({ format: 'email' });
  });

  test('metadata is an object, and the API refuses an array', async () => {
    expect(body('/v1/customers/{id}', 'patch').properties!.metadata).toMatchObject({ type: 'object', maxProperties: 50 });
    const created = await p.call<{ id: string }>('POST', '/v1/customers', { body: { name: 'Meta', email: 'meta@example.com', kind: 'sme', country: 'DE' } });
    expect(created.status).toBe(201);
    const res = await p.call<{ errors: { field: string }[] }>('PATCH', `/v1/customers/${created.body.id}`, { body: { metadata: ['a'] } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]!.field).toBe('metadata');
  });

  test('an unknown method on a known path is 405 with Allow', async () => {
    const res = await p.call('PUT', '/v1/customers');
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('GET, HEAD, POST');
  });
});
