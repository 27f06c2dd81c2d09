import { afterAll, describe, expect, test } from 'bun:test';
import { count, countDistinct, eq } from 'drizzle-orm';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Database } from '../db/client.ts';
import { customers, outbox, users } from '../db/schema/index.ts';
import { killAll, spawnProcess, tempDataDir } from './processes.ts';

/**
 * The CLI as a user runs it: `bun bin/platform.ts …` as a child process over a database file,
 * checked through its exit codes, its output and the database itself.
 */
const folders: { remove(): void }[] = [];
afterAll(async () => {
  await killAll();
  for (const f of folders) f.remove();
});

function freshData() {
  const data = tempDataDir('platform-cli-');
  folders.push(data);
  return data;
}

const quiet = { LOG_SILENT: 'true', ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'correct-horse-battery-staple-42' };

async function cli(args: string[], env: Record<string, string>) {
  const child = spawnProcess(`cli ${args.join(' ')}`, [process.execPath, 'bin/platform.ts', ...args], { ...quiet, ...env });
  const code = await child.exited;
  return { code, output: child.output() };
}

const summaryOf = (output: string) => {
  const m = /imported (\d+), skipped (\d+) \(already there\), rejected (\d+)/.exec(output);
  if (!m) throw new Error(`no summary in:\n${output}`);
  return { imported: Number(m[1]), skipped: Number(m[2]), rejected: Number(m[3]) };
};

async function counts(database: Database) {
  const [c] = await database.db.select({ n: count(), emails: countDistinct(customers.email) }).from(customers);
  const [u] = await database.db.select({ n: count() }).from(users);
  const [e] = await database.db.select({ n: count() }).from(outbox).where(eq(outbox.type, 'customer.onboarded'));
  return { customers: c!.n, emails: c!.emails, users: u!.n, onboardedEvents: e!.n };
}

describe('CLI: help and exit codes', () => {
  test('--help everywhere exits 0; usage and configuration errors exit 2 naming the problem', async () => {
    const { databaseUrl } = freshData();
    const env = { DATABASE_URL: databaseUrl };
    for (const args of [['--help'], ['import', 'customers', '--help'], ['create-operator', '--help'], ['outbox', 'status', '--help'], ['migrate', '--help']]) {
      const run = await cli(args, env);
      expect(run.code).toBe(0);
      expect(run.output).toContain('Usage: platform');
    }
    const unknown = await cli(['bogus'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain("unknown command 'bogus'");

    const missing = await cli(['create-operator', '--email', 'x@example.com', '--name', 'X'], env);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('--role');

    const weak = await cli(['create-operator', '--email', 'x@example.com', '--name', 'X', '--role', 'viewer', '--password', 'short'], env);
    expect(weak.code).toBe(2);
    expect(weak.output).toContain('password');

    const noFile = await cli(['import', 'customers', '/nonexistent/people.csv'], env);
    expect(noFile.code).toBe(2);
    expect(noFile.output).toContain('no such file');

    const config = await cli(['migrate'], { ...env, BUS: 'kafka', KAFKA_BROKERS: '' });
    expect(config.code).toBe(2);
    expect(config.output).toContain('KAFKA_BROKERS');
  }, 60_000);

  test('migrate, create-operator (generated password shown once), create-api-key, outbox status', async () => {
    const { databaseUrl } = freshData();
    const env = { DATABASE_URL: databaseUrl };
    const migrate = await cli(['migrate'], env);
    expect(migrate.code).toBe(0);
    expect(migrate.output).toMatch(/migrations: (\d+) applied of \1 expected/);

    const operator = await cli(['create-operator', '--email', 'ops@example.com', '--name', 'Ops', '--role', 'operator'], env);
    expect(operator.code).toBe(0);
    expect(operator.output).toMatch(/password: \S{12,} \(shown once\)/);
    const again = await cli(['create-operator', '--email', 'ops@example.com', '--name', 'Ops', '--role', 'operator'], env);
    expect(again.code).toBe(1);
    expect(again.output).toContain('conflict');

    const key = await cli(['create-api-key', '--name', 'ingest', '--scopes', 'usage:write'], env);
    expect(key.code).toBe(0);
    expect(key.output).toMatch(/key: sk_\S+ \(shown once\)/);

    const status = await cli(['outbox', 'status', '--json'], env);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.output.trim().split('\n').at(-1)!);
    expect(parsed.unpublished).toBeGreaterThanOrEqual(1); // api_key.created, not yet relayed
    expect(Array.isArray(parsed.groups)).toBe(true);
  }, 60_000);
});

describe('CLI: import customers', () => {
  test('a CSV with invalid rows: exact counts, a report by line, and a re-run imports nothing twice', async () => {
    const data = freshData();
    const env = { DATABASE_URL: data.databaseUrl };
    const rows = ['name,email,kind,country,phone,tax_rate_bps,metadata'];
    for (let i = 0; i < 40; i++) rows.push(`Customer ${i},c${i}@example.com,sme,de,,1900,"{""source"":""legacy""}"`);
    rows.push('No Email,not-an-email,sme,DE,,,'); // line 42
    rows.push('Bad Country,bc@example.com,sme,Germany,,,'); // line 43
    rows.push('Bad Tax,bt@example.com,sme,DE,,abc,'); // line 44
    rows.push(',empty@example.com,robot,DE,,,'); // line 45: two fields
    const file = join(data.dir, 'customers.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);

    const first = await cli(['import', 'customers', file], env);
    expect(first.code).toBe(0);
    expect(summaryOf(first.output)).toEqual({ imported: 40, skipped: 0, rejected: 4 });

    const report = readFileSync(`${file}.rejected.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(report.map((r) => r.line)).toEqual([42, 43, 44, 45]);
    expect(report[0].errors.map((e: { field: string }) => e.field)).toEqual(['email']);
    expect(report[1].errors.map((e: { field: string }) => e.field)).toEqual(['country']);
    expect(report[2].errors.map((e: { field: string }) => e.field)).toEqual(['tax_rate_bps']);
    expect(report[3].errors.map((e: { field: string }) => e.field).sort()).toEqual(['kind', 'name']);

    const second = await cli(['import', 'customers', file, '--report', join(data.dir, 'again.jsonl')], env);
    expect(second.code).toBe(0);
    expect(summaryOf(second.output)).toEqual({ imported: 0, skipped: 40, rejected: 4 });

    const database = await openDatabase(data.databaseUrl);
    try {
      expect(await counts(database)).toEqual({ customers: 40, emails: 40, users: 40, onboardedEvents: 40 });
      const [one] = await database.db.select().from(customers).where(eq(customers.email, 'c7@example.com'));
      expect(one).toMatchObject({ name: 'Customer 7', country: 'DE', taxRateBps: 1900, metadata: { source: 'legacy' } });
    } finally {
      database.close();
    }
  }, 60_000);

  // 100,000 rows import in about 16 s here (≈6,000 rows/s in batches of 500), so the full size runs.
  const TOTAL = Number(process.env.CLI_IMPORT_ROWS ?? 100_000);
  const INVALID_EVERY = 1_000;

  test(`JSON Lines, ${TOTAL} rows: SIGKILL about halfway, resume, exactly every valid row once`, async () => {
    const data = freshData();
    const env = { DATABASE_URL: data.databaseUrl };
    const file = join(data.dir, 'customers.jsonl');
    const lines: string[] = [];
    let invalid = 0;
    for (let i = 0; i < TOTAL; i++) {
      if (i % INVALID_EVERY === 7) {
        invalid++;
        lines.push(JSON.stringify({ name: `Broken ${i}`, email: `broken${i}`, kind: 'sme', country: 'DE' }));
      } else {
        lines.push(JSON.stringify({ name: `Customer ${i}`, email: `c${i}@example.com`, kind: i % 2 ? 'sme' : 'individual', country: 'FR' }));
      }
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const valid = TOTAL - invalid;

    // Migrate first, so the poll below can read the tables while the import runs.
    expect((await cli(['migrate'], env)).code).toBe(0);
    const database = await openDatabase(data.databaseUrl);
    try {
      const importer = spawnProcess('import', [process.execPath, 'bin/platform.ts', 'import', 'customers', file], { ...quiet, ...env });
      let seen = 0;
      while (seen < valid / 2) {
        if (!importer.alive) throw new Error(`the import ended before halfway (${seen}):\n${importer.output()}`);
        await Bun.sleep(25);
        seen = (await counts(database)).customers;
      }
      await importer.kill('SIGKILL');
      const atKill = await counts(database);
      expect(atKill.customers).toBeGreaterThanOrEqual(valid / 2);
      expect(atKill.customers).toBeLessThan(valid);
      // Batches are transactions: whatever committed is whole (customer, owner, event).
      expect(atKill.users).toBe(atKill.customers);
      expect(atKill.onboardedEvents).toBe(atKill.customers);

      const resumed = await cli(['import', 'customers', file], env);
      expect(resumed.code).toBe(0);
      expect(summaryOf(resumed.output)).toEqual({ imported: valid - atKill.customers, skipped: atKill.customers, rejected: invalid });
      expect(await counts(database)).toEqual({ customers: valid, emails: valid, users: valid, onboardedEvents: valid });
    } finally {
      database.close();
    }
  }, 120_000);
});
