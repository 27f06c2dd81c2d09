import { afterAll, describe, expect, test } from 'bun:test';
import { count, eq, isNull, sql } from 'drizzle-orm';
import { consumerPositions, creditEntries, customers, inbox, invoices, outbox, subscriptions } from '../db/schema/index.ts';
import type { OverviewResource } from '../src/reports/contract.ts';
import { createTestPlatform, eventually, type TestPlatform } from './harness.ts';
import { killAll, spawnProcess, tempDataDir } from './processes.ts';

/**
 * `platform seed` and `platform events replay` as a user runs them (child processes over a
 * database file), then the seeded database opened in-process to read it through the API.
 */
const data = tempDataDir('platform-seed-');
let p: TestPlatform | undefined;
afterAll(async () => {
  await p?.close();
  await killAll();
  data.remove();
});

const env = { DATABASE_URL: data.databaseUrl, DATA_DIR: data.dir, LOG_SILENT: 'true', ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'correct-horse-battery-staple-42' };

async function cli(args: string[], extra: Record<string, string> = {}) {
  const child = spawnProcess(`cli ${args.join(' ')}`, [process.execPath, 'bin/platform.ts', ...args], { ...env, ...extra });
  const code = await child.exited;
  return { code, output: child.output() };
}

describe('CLI: seed and events replay', () => {
  test('seed fills a fresh database with a year: every kind, every subscription state, invoices every month, revenue in the overview', async () => {
    const run = await cli(['seed', '--no-progress']);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/seeded 4 plans, 50 customers, \d+ users, \d+ subscriptions/);

    p = await createTestPlatform({ env: { DATABASE_URL: data.databaseUrl, DATA_DIR: data.dir } });
    const db = p.deps.db;
    const kinds = await db.select({ kind: customers.kind, n: count() }).from(customers).groupBy(customers.kind);
    expect(kinds.reduce((sum, k) => sum + k.n, 0)).toBe(50);
    expect(kinds.map((k) => k.kind).sort()).toEqual(['individual', 'institution', 'sme']);
    const statuses = await db.select({ status: subscriptions.status, n: count() }).from(subscriptions).groupBy(subscriptions.status);
    expect(statuses.map((s) => s.status).sort()).toEqual(['active', 'canceled', 'past_due', 'trialing']);

    // Invoices in each of the last 12 months (the first month of the year is the trials').
    const monthly = await db
      .select({ month: sql<string>`strftime('%Y-%m', ${invoices.createdAt} / 1000, 'unixepoch')`, n: count() })
      .from(invoices)
      .groupBy(sql`1`)
      .orderBy(sql`1`);
    expect(monthly.length).toBeGreaterThanOrEqual(12);
    for (const m of monthly.slice(-11)) expect(m.n).toBeGreaterThan(0);
    const [declined] = await db.select({ n: count() }).from(invoices).where(eq(invoices.status, 'uncollectible'));
    expect(declined!.n).toBeGreaterThan(0); // dunning ran its course for some

    const overview = await p.call<OverviewResource>('GET', '/v1/reports/overview');
    expect(overview.status).toBe(200);
    const eur = overview.body.currencies.find((c) => c.currency === 'EUR')!;
    expect(eur.revenue_by_month.filter((m) => m.collected.amount > 0).length).toBeGreaterThanOrEqual(10);
    expect(eur.mrr.amount).toBeGreaterThan(0);
    expect(overview.body.currencies.map((c) => c.currency)).toContain('USD');

    const again = await cli(['seed', '--no-progress']);
    expect(again.code).toBe(2);
    expect(again.output).toContain('already has 50 customers');
  }, 120_000);

  test('events replay moves a group back, and its running worker takes it up; its effects stay once (inbox)', async () => {
    const platform = p!;
    const db = platform.deps.db;
    platform.startWorkers(['relay', 'profiling']);
    const caughtUp = async () => {
      const groups = await platform.deps.bus.groups();
      const g = groups.find((x) => x.group === 'profiling');
      const [unpublished] = await db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
      return g && g.lag === 0 && g.position > 0 && unpublished!.n === 0 ? g : null;
    };
    const before = await eventually(caughtUp, { timeoutMs: 60_000 });
    const effects = async () => {
      const [handled] = await db.select({ n: count() }).from(inbox).where(eq(inbox.consumer, 'profiling'));
      const [credits] = await db.select({ n: count() }).from(creditEntries);
      return { handled: handled!.n, credits: credits!.n };
    };
    const once = await effects();
    expect(once.handled).toBeGreaterThan(0);

    const replay = await cli(['events', 'replay', '--group', 'profiling', '--from', '1']);
    expect(replay.code).toBe(0);
    const seen = Number(/(\d+) events will be seen again/.exec(replay.output)?.[1]);
    expect(seen).toBeGreaterThanOrEqual(once.handled);
    // The worker kept running: caught up and idle, it reads the moved position and is handed the log again.
    await eventually(async () => {
      const [row] = await db.select().from(consumerPositions).where(eq(consumerPositions.group, 'profiling'));
      return row!.position >= before.position ? row : null;
    }, { timeoutMs: 60_000 });
    await platform.stopWorkers();
    expect(await effects()).toEqual(once);

    const unknown = await cli(['events', 'replay', '--group', 'nobody', '--from', '0']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('no consumer group nobody');

    // On Kafka the offsets are the broker's: refused, naming Kafka's tool (no broker is needed to say so).
    const kafka = await cli(['events', 'replay', '--group', 'profiling', '--from', '0'], { BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:1' });
    expect(kafka.code).toBe(2);
    expect(kafka.output).toContain('kafka-consumer-groups.sh');
  }, 120_000);
});
