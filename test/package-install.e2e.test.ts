import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { createPlatformClient } from '@subscription-platform/client';
import { createOperator } from '../src/operators/create.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';
import { killAll, ROOT, spawnProcess } from './processes.ts';

/**
 * What `npm install` gives a user of a fresh clone: the `platform` command (`npx platform`),
 * which must start from the Node npm itself runs on, and the generated client importable by
 * its package name (packages/client is a workspace of the root package).
 */
afterAll(() => killAll());

/** PATH without the project's binaries: the Node found there is the one the user's npm runs. */
const plainPath = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')).join(delimiter);

describe('the platform command', () => {
  test('`npx platform --help` prints the CLI\'s help and exits 0', async () => {
    // `--no --`: never fetch a registry package named `platform` were the project's bin missing.
    const child = spawnProcess('npx platform --help', ['npx', '--no', '--', 'platform', '--help'], {});
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('Usage: platform');
    expect(child.output()).toContain('create-api-key');
  }, 60_000);

  test('its launcher runs on the Node on PATH and passes the exit code through', async () => {
    const node = Bun.which('node', { PATH: plainPath });
    if (!node) throw new Error('no node on PATH outside node_modules');
    const help = spawnProcess('node bin/platform.js --help', [node, 'bin/platform.js', '--help'], { PATH: plainPath });
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('Usage: platform');
    const unknown = spawnProcess('node bin/platform.js bogus', [node, 'bin/platform.js', 'bogus'], { PATH: plainPath });
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toContain("unknown command 'bogus'");
  }, 60_000);
});

describe('@subscription-platform/client', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await createTestPlatform();
  });
  afterAll(() => p.close());

  test('its package.json points at files that exist', () => {
    const dir = dirname(Bun.resolveSync('@subscription-platform/client/package.json', ROOT));
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, string>; types: string };
    for (const file of [...Object.values(manifest.exports), manifest.types]) expect(`${file}: ${existsSync(join(dir, file))}`).toBe(`${file}: true`);
  });

  test('imported by its package name, logs in and onboards a customer', async () => {
    const email = 'package-client@ops.example';
    const password = 'a-long-enough-password';
    await createOperator(p.ctx(), { email, name: 'Package client', role: 'admin', password });
    const fetch = async (request: Request) => p.app.fetch(request);

    const { data: login } = await createPlatformClient('http://platform.test', undefined, { fetch }).POST('/v1/auth/login', { body: { email, password } });
    const platform = createPlatformClient('http://platform.test', login!.token, { fetch });
    const { data: customer, response } = await platform.POST('/v1/customers', {
      params: { header: { 'Idempotency-Key': 'package-client-1' } },
      body: { name: 'Acme GmbH', email: 'ops@acme.example', kind: 'sme', country: 'DE' },
    });
    expect(response.status).toBe(201);
    const { data: read } = await platform.GET('/v1/customers/{id}', { params: { path: { id: customer!.id } } });
    expect(read).toMatchObject({ id: customer!.id, name: 'Acme GmbH' });
  });
});
