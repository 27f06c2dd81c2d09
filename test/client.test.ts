import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { createPlatformClient, type PlatformClient } from '../packages/client/src/index.ts';
import { GENERATED, generateClientFiles } from '../scripts/generate-client.ts';
import { createOperator } from '../src/operators/create.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

const BASE = 'http://platform.test';

let p: TestPlatform;
/** The generated client, calling the app in-process. */
const clientFor = (token?: string): PlatformClient => createPlatformClient(BASE, token, { fetch: async (request) => p.app.fetch(request) });

beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p.close());

describe('packages/client', () => {
  test('is up to date: regenerating from /openapi.json gives the committed files', async () => {
    const fresh = await generateClientFiles();
    const stale = 'packages/client is stale: run `npm run client:generate` and commit the result';
    expect(readFileSync(GENERATED.schema, 'utf8') === fresh.schema ? 'fresh' : stale).toBe('fresh');
    expect(readFileSync(GENERATED.document, 'utf8') === fresh.document ? 'fresh' : stale).toBe('fresh');
  }, 60_000);

  test('logs in, creates a customer, reads it, pages with a cursor and types a 404', async () => {
    const email = 'client-user@ops.example';
    const password = 'a-long-enough-password';
    await createOperator(p.ctx(), { email, name: 'Client user', role: 'admin', password });

    const login = await clientFor().POST('/v1/auth/login', { body: { email, password } });
    expect(login.response.status).toBe(200);
    const platform = clientFor(login.data!.token);

    const created: string[] = [];
    for (const n of [1, 2, 3]) {
      const { data, error, response } = await platform.POST('/v1/customers', {
        params: { header: { 'Idempotency-Key': `client-test-${n}` } },
        body: { name: `Client Co ${n}`, email: `billing-${n}@client.example`, kind: 'sme', country: 'DE' },
      });
      expect({ status: response.status, error }).toEqual({ status: 201, error: undefined });
      created.push(data!.id);
    }

    const read = await platform.GET('/v1/customers/{id}', { params: { path: { id: created[0]! } } });
    expect(read.data).toMatchObject({ id: created[0], name: 'Client Co 1', email: 'billing-1@client.example' });

    const first = await platform.GET('/v1/customers', { params: { query: { limit: 2 } } });
    expect(first.data!.data).toHaveLength(2);
    const cursor = first.data!.next_cursor;
    expect(typeof cursor).toBe('string');
    const second = await platform.GET('/v1/customers', { params: { query: { limit: 2, cursor: cursor! } } });
    const seen = [...first.data!.data, ...second.data!.data].map((c) => c.id);
    expect(seen.sort()).toEqual([...created].sort());

    const missing = await platform.GET('/v1/customers/{id}', { params: { path: { id: 'cus_00000000000000000000000000' } } });
    expect(missing.data).toBeUndefined();
    expect(missing.response.status).toBe(404);
    // The error is the problem the document declares: its fields are typed, no cast needed.
    const problem: { status: number; code: string } = missing.error!;
    expect(problem).toMatchObject({ status: 404, code: 'not_found' });
  });

  test('without a token the client gets the typed 401 problem', async () => {
    const { error, response } = await clientFor().GET('/v1/customers', {});
    expect(response.status).toBe(401);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
