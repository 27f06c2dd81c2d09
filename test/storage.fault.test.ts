import { afterAll, afterEach, describe, expect, test } from 'bun:test';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq, sql } from 'drizzle-orm';
import { openDatabase, storageFaultOf, type Database } from '../db/client.ts';
import { customers, deadLetters, notifications } from '../db/schema/index.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { ConsumerList } from '../src/events/contract.ts';
import type { Readiness } from '../src/http/health.ts';
import type { Problem } from '../src/http/problem.ts';
import { describeError } from '../src/kernel/errors.ts';
import { freePort, killAll, pollUntil, spawnBun, startSmtpSink, waitForHttp, type ChildProcess, type SmtpSink } from './processes.ts';

/**
 * The database on a real small file system (a tmpfs mounted here, which needs root; CI runs as
 * root): `npm start` (API and workers in one process, embedded bus) onboards until the disk is
 * full, then gets its space back without a restart; and the same database on a read-only mount.
 */

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('skipped: not root (the storage fault tests mount a tmpfs)');

afterAll(killAll);

const ADMIN = { email: 'admin@storage.example', password: 'a-long-enough-password' };

/** A tmpfs of `size` mounted on a fresh folder; `remount` changes its options, `remove` unmounts it. */
function mountTmpfs(size: string) {
  const dir = mkdtempSync(join(tmpdir(), 'platform-storage-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return {
    dir,
    remount: (options: string) => execFileSync('mount', ['-o', `remount,${options}`, dir]),
    remove() {
      try {
        execFileSync('umount', ['-l', dir]);
      } catch {
        // not mounted any more
      }
      rmdirSync(dir);
    },
  };
}

/** Writes zeros to `path` until the file system refuses (ENOSPC): nothing is left for anyone. */
function fillUp(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

function platformEnv(dir: string, port: number, smtpPort?: number): Record<string, string> {
  return {
    PORT: String(port),
    DATABASE_URL: `file:${join(dir, 'app.db')}`,
    DATA_DIR: dir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'storage-test-secret-that-is-long-enough-0123456789',
    POLL_INTERVAL_MS: '50',
    LOG_SILENT: '0',
    ...(smtpPort ? { EMAIL_CHANNEL: 'smtp', SMTP_URL: `smtp://127.0.0.1:${smtpPort}` } : {}),
    RELAY_LEASE_MS: '1000',
    NOTIFY_BACKOFF_MS: '100',
  };
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  replayed: boolean;
  body: unknown;
}

/** POSTs a customer under `key` (the same body every time for a key). */
async function onboard(base: string, token: string, key: string): Promise<Answer> {
  const res = await fetch(`${base}/v1/customers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ name: `Storage ${key}`, email: `${key}@storage.example`, kind: 'sme', country: 'DE' }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type'), replayed: res.headers.get('idempotency-replayed') === 'true', body: await res.json() };
}

async function readiness(base: string): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

/** Every refused write is a 503 problem naming the storage, with Retry-After; never a 500. */
function expectStorageRefusal(answer: Answer, reason: string) {
  expect({ status: answer.status, contentType: answer.contentType?.split(';')[0], retryAfter: Number(answer.retryAfter) > 0 }).toEqual({ status: 503, contentType: 'application/problem+json', retryAfter: true });
  expect(answer.body).toMatchObject({ code: 'storage_unavailable', status: 503, type: '/problems/storage_unavailable', reason });
}

describe.skipIf(!isRoot)('the database on a small file system (tmpfs)', () => {
  let mount: ReturnType<typeof mountTmpfs> | undefined;
  let smtp: SmtpSink | undefined;
  let database: Database | undefined;
  afterEach(async () => {
    await killAll();
    database?.close();
    database = undefined;
    await smtp?.close();
    smtp = undefined;
    mount?.remove();
    mount = undefined;
  });

  test('a full disk answers 503 with Retry-After and readiness says why; with space back the same process serves again, each retried key replays or creates once, and every customer gets one welcome', async () => {
    mount = mountTmpfs('6m');
    smtp = await startSmtpSink();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // A long notification lease: a sent email whose outcome the full disk refused is recorded when space is back, not sent again.
    const app: ChildProcess = spawnBun('npm start', 'src/start.ts', { ...platformEnv(mount.dir, port, smtp.port), NOTIFY_LEASE_MS: '30000' });
    await waitForHttp(`${base}/readyz`, app);
    const token = await login(base);

    // Onboard 16 at a time until the disk refuses: every answer is a 201 or a 503, never a 500.
    const answers = new Map<string, Answer>();
    let refused = 0;
    for (let round = 0; refused === 0; round++) {
      expect(round).toBeLessThan(200);
      const keys = Array.from({ length: 16 }, (_, i) => `key-${round}-${i}`);
      const batch = await Promise.all(keys.map((key) => onboard(base, token, key)));
      keys.forEach((key, i) => answers.set(key, batch[i]!));
      for (const answer of batch) {
        if (answer.status === 503) expectStorageRefusal(answer, 'disk_full');
        else expect(answer.status).toBe(201);
      }
      refused = batch.filter((a) => a.status === 503).length;
    }

    // Take whatever the database left: now nothing can be written at all.
    const filler = join(mount.dir, 'filler');
    fillUp(filler);
    const refusedKeys = Array.from({ length: 8 }, (_, i) => `key-full-${i}`);
    for (const key of refusedKeys) {
      const answer = await onboard(base, token, key);
      expectStorageRefusal(answer, 'disk_full');
      answers.set(key, answer);
    }
    const full = await readiness(base);
    expect(full.status).toBe(503);
    expect(full.body.status).toBe('not_ready');
    expect(full.body.checks.storage).toStartWith('disk_full: ');
    // Reads go on.
    const acknowledged = [...answers.values()].filter((a) => a.status === 201).map((a) => a.body as CustomerResource);
    expect(acknowledged.length).toBeGreaterThan(0);
    const read = await fetch(`${base}/v1/customers/${acknowledged[0]!.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);

    // Space comes back; the process notices by itself.
    rmSync(filler);
    mount.remount('size=64m');
    await pollUntil('ready again without a restart', async () => (await readiness(base)).status === 200, { timeoutMs: 15_000 });

    // Every key retried: one refused replays nothing and runs now; one acknowledged replays its 201.
    const ids = new Map<string, string>();
    for (const [key, first] of answers) {
      const again = await onboard(base, token, key);
      expect({ key, status: again.status }).toEqual({ key, status: 201 });
      const id = (again.body as CustomerResource).id;
      if (first.status === 201) {
        expect(again.replayed).toBe(true);
        expect(id).toBe((first.body as CustomerResource).id);
      }
      ids.set(key, id);
    }
    expect(new Set(ids.values()).size).toBe(answers.size);

    // Each customer exists once, and the whole pipeline catches up: one welcome each, sent once, nothing parked.
    database = await openDatabase(`file:${join(mount.dir, 'app.db')}`);
    const db = database.db;
    expect((await db.select({ n: count() }).from(customers))[0]!.n).toBe(answers.size);
    await pollUntil(
      'every welcome sent',
      async () => (await db.select({ n: count() }).from(notifications).where(eq(notifications.status, 'sent')))[0]!.n === answers.size,
      { timeoutMs: 30_000 },
    );
    const welcomes = await db.select().from(notifications);
    expect(welcomes.length).toBe(answers.size);
    expect(welcomes.every((w) => w.template === 'welcome' && w.status === 'sent')).toBe(true);
    expect(welcomes.map((w) => w.customerId).sort()).toEqual([...ids.values()].sort());
    await pollUntil('every email delivered', async () => new Set(smtp!.deliveries).size === answers.size, { timeoutMs: 10_000 });
    expect([...new Set(smtp.deliveries)].sort()).toEqual(welcomes.map((w) => w.id).sort());
    expect(smtp.deliveries.length).toBe(answers.size);
    expect(await db.select().from(deadLetters)).toEqual([]);
    const groups = await pollUntil('every group caught up', async () => {
      const res = await fetch(`${base}/v1/consumers`, { headers: { authorization: `Bearer ${token}` } });
      const list = ((await res.json()) as ConsumerList).data;
      return list.every((g) => g.lag === 0) ? list : null;
    });
    expect(groups.every((g) => g.dead_letters === 0)).toBe(true);
    expect(app.output()).not.toContain('"msg":"unhandled error"');
  }, 90_000);

  test('a full disk makes SQLite roll a group commit back by itself: no command of the group commits on its own, each fails with the storage error', async () => {
    mount = mountTmpfs('1m');
    database = await openDatabase(`file:${join(mount.dir, 'group.db')}`);
    const d = database;
    await d.db.run(sql`CREATE TABLE t (x TEXT)`);
    const outcomes: string[] = [];
    const failure = (name: string) => (error: unknown) => void outcomes.push(`${name}: ${storageFaultOf(error)?.kind ?? describeError(error)}`);
    await d
      .transaction(async (tx) => {
        await d.savepoint(tx, async (tx) => void (await tx.run(sql`INSERT INTO t VALUES ('first')`))).then(() => outcomes.push('first: ok'), failure('first'));
        // Past the page cache: SQLite spills to the log, the disk is full, and it rolls the whole transaction back.
        await d.savepoint(tx, async (tx) => {
          for (let i = 0; i < 400; i++) await tx.run(sql`INSERT INTO t VALUES (${'y'.repeat(8000)})`);
        }).then(() => outcomes.push('large: ok'), failure('large'));
        await d.savepoint(tx, async (tx) => void (await tx.run(sql`INSERT INTO t VALUES ('third')`))).then(() => outcomes.push('third: ok'), failure('third'));
      })
      .then(() => outcomes.push('commit: ok'), failure('commit'));
    expect(outcomes).toEqual(['first: ok', 'large: disk_full', 'third: disk_full', 'commit: disk_full']);
    expect(await d.db.all(sql`SELECT x FROM t WHERE length(x) < 10`)).toEqual([]);
  });

  test('a read-only database: writes answer 503, reads still work, readiness says read-only', async () => {
    mount = mountTmpfs('16m');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = platformEnv(mount.dir, port);
    const first = spawnBun('npm start', 'src/start.ts', env);
    await waitForHttp(`${base}/readyz`, first);
    const token = await login(base);
    const created = await onboard(base, token, 'before-read-only');
    expect(created.status).toBe(201);
    const { id } = created.body as CustomerResource;
    await first.stop();

    mount.remount('ro');
    const app = spawnBun('npm start', 'src/start.ts', env);
    await app.waitForOutput(/running at/);
    await pollUntil('readiness answers', async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 503);
    const ready = await readiness(base);
    expect(ready.body.status).toBe('not_ready');
    expect(ready.body.checks).toMatchObject({ database: 'ok', migrations: 'ok', storage: 'read_only: attempt to write a readonly database' });

    const read = await fetch(`${base}/v1/customers/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as CustomerResource).id).toBe(id);

    const write = await onboard(base, token, 'while-read-only');
    expectStorageRefusal(write, 'read_only');
    expect((write.body as Problem).detail).toContain('read-only');
    expect(app.output()).not.toContain('"msg":"unhandled error"');
  }, 60_000);
});
