import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../db/client.ts';
import { applyMigrations } from '../../db/migrate.ts';
import { manualClock } from '../kernel/clock.ts';
import { createTransactor } from '../kernel/transactor.ts';
import { createEmbeddedRateLimiter } from './embedded.ts';

let dir: string;
const databases: Database[] = [];
const clock = manualClock(Date.UTC(2026, 4, 1));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rate-limiter-'));
});
afterAll(() => {
  for (const d of databases) d.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A process of its own: its own connection to the shared file, its own transactor and limiter; counts its commits. */
async function startProcess(options: { batchFraction?: number } = {}) {
  const database = await openDatabase(`file:${join(dir, 'limits.db')}`);
  databases.push(database);
  await applyMigrations(database);
  const stats = { commits: 0 };
  const transactor = createTransactor(database, { onCommit: () => stats.commits++ });
  return { limiter: createEmbeddedRateLimiter({ transactor, clock, windowMs: 60_000, ...options }), stats };
}

describe('embedded rate limiter', () => {
  test('reserves in batches: a busy key costs one write per 2 % of its limit, not one per request', async () => {
    const { limiter, stats } = await startProcess();
    const decisions = [];
    for (let i = 0; i < 1000; i++) decisions.push(await limiter.take('busy', 5000));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(decisions.at(-1)!.remaining).toBe(4000);
    expect(stats.commits).toBe(10); // batches of 100
  });

  test('processes sharing the database never admit more than the limit in a window, and refuse from memory once it is used up', async () => {
    const a = await startProcess();
    const b = await startProcess();
    const key = 'shared';
    let admitted = 0;
    // Interleaved, concurrently within each process: 2 × 150 requests against a limit of 200 (batches of 4).
    await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        if ((await (i % 2 ? a : b).limiter.take(key, 200)).allowed) admitted++;
      }),
    );
    // Up to one and a half unused batches per process may be left over: refused a little early, never admitted too many.
    expect(admitted).toBeLessThanOrEqual(200);
    expect(admitted).toBeGreaterThanOrEqual(200 - 2 * 6);
    const commits = a.stats.commits + b.stats.commits;
    for (let i = 0; i < 50; i++) expect((await a.limiter.take(key, 200)).allowed).toBe(false);
    expect(a.stats.commits + b.stats.commits).toBeLessThanOrEqual(commits + 1);

    clock.advance(60_000);
    expect(await b.limiter.take(key, 200)).toMatchObject({ allowed: true, remaining: 199 });
  });

  test('a limit under 50 counts every request in the database, so processes share it exactly', async () => {
    const a = await startProcess();
    const b = await startProcess();
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await (i % 2 ? a : b).limiter.take('exact', 5));
    expect(seen.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(seen.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
  });
});
