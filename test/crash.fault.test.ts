import { afterAll, afterEach, describe, expect, test } from 'bun:test';
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../db/client.ts';
import {
  busLog,
  consumerPositions,
  customerNotifications,
  customers,
  deadLetters,
  inbox,
  notifications,
  outbox,
  profiles,
} from '../db/schema/index.ts';
import type { Bus } from '../src/bus/bus.ts';
import { consumeOnce, startConsumer, type ConsumerDeps, type EventHandler } from '../src/bus/consumer.ts';
import { relayOnce, type RelayOptions } from '../src/bus/relay.ts';
import { customerNotificationsHandler } from '../src/customers/consumer.ts';
import { onboardCustomer } from '../src/customers/onboard.ts';
import { activateCustomer } from '../src/customers/transition.ts';
import type { CloudEvent } from '../src/events/envelope.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { notificationsHandler } from '../src/notifications/consumer.ts';
import { createProfilingHandler, profilingTypes } from '../src/profiling/consumer.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';
import { freePort, killAll, pollUntil, spawnBun, startSmtpSink, tempDataDir, waitForHttp, type ChildProcess, type SmtpSink } from './processes.ts';
import type { Page } from '../db/paging.ts';
import type { CustomerResource, NotificationEntry } from '../src/customers/contract.ts';
import type { ConsumerList, EventResource } from '../src/events/contract.ts';

/**
 * Crash safety: the platform runs as real processes on a libSQL file and is
 * killed with SIGKILL at awkward moments; afterwards every effect must exist
 * exactly once. Function-level tests pin down the relay and consumer
 * guarantees the process tests rely on.
 */

afterAll(killAll);

// ---------------------------------------------------------------------------
// One platform on a temp libSQL file, driven as child processes.

const ADMIN = { email: 'admin@fault.example', password: 'a-long-enough-password' };

interface ProcessPlatform {
  env: Record<string, string>;
  base: string;
  smtp: SmtpSink;
  /** The test's own connection to the same database file (opened once the schema exists). */
  db(): Promise<Database>;
  startApi(): Promise<ChildProcess>;
  startWorkers(script?: string, extraEnv?: Record<string, string>): Promise<ChildProcess>;
  close(): Promise<void>;
}

async function createProcessPlatform(): Promise<ProcessPlatform> {
  const data = tempDataDir();
  // A real SMTP endpoint: it sees every email the workers send, a resend after a crash included (same Message-ID).
  const smtp = await startSmtpSink();
  const port = await freePort();
  const env = {
    PORT: String(port),
    DATABASE_URL: data.databaseUrl,
    DATA_DIR: data.dir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'fault-test-secret-that-is-long-enough-0123456789',
    POLL_INTERVAL_MS: '50',
    LOG_SILENT: '0',
    EMAIL_CHANNEL: 'smtp',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    // Short leases so that what a killed process had claimed is taken over within the test's time.
    RELAY_LEASE_MS: '1000',
    NOTIFY_LEASE_MS: '1500',
    NOTIFY_BACKOFF_MS: '100',
  };
  const base = `http://127.0.0.1:${port}`;
  let database: Database | undefined;
  return {
    env,
    base,
    smtp,
    async db() {
      database ??= await openDatabase(data.databaseUrl);
      return database;
    },
    async startApi() {
      const api = spawnBun('api', 'src/server.ts', env);
      await waitForHttp(`${base}/readyz`, api);
      return api;
    },
    async startWorkers(script = 'workers/all.ts', extraEnv = {}) {
      const workers = spawnBun(script, script, { ...env, ...extraEnv });
      await workers.waitForOutput(/"msg":"workers started"/);
      return workers;
    },
    async close() {
      await killAll();
      database?.close();
      await smtp.close();
      data.remove();
    },
  };
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function api<T = unknown>(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Onboards `n` customers over HTTP, a few requests at a time; returns their ids. */
async function onboardOverHttp(base: string, token: string, n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const res = await api<CustomerResource>(base, token, 'POST', '/v1/customers', { name: `Crash ${tag} ${i}`, email: `crash-${tag}-${i}@fault.example`, kind: 'sme', country: 'DE' });
      if (res.status !== 201) throw new Error(`onboarding ${i} failed: ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

const countOf = async (db: Database, table: typeof notifications | typeof profiles | typeof customerNotifications | typeof deadLetters | typeof customers, where?: ReturnType<typeof eq>) => {
  const [row] = await db.db.select({ n: count() }).from(table as typeof profiles).where(where);
  return row?.n ?? 0;
};

const eventsOfType = async (db: Database, type: string) => {
  const [row] = await db.db.select({ n: count() }).from(outbox).where(eq(outbox.type, type));
  return row?.n ?? 0;
};

/** Whether the whole onboarding pipeline has run for `n` customers and every group is at the end of the log. */
async function pipelineDone(db: Database, n: number): Promise<boolean> {
  const [unpublished] = await db.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
  if ((unpublished?.n ?? 0) > 0) return false;
  if ((await countOf(db, customerNotifications)) < n) return false;
  if ((await countOf(db, profiles)) < n) return false;
  if ((await eventsOfType(db, 'notification.sent')) < n) return false;
  return groupsCaughtUp(db, ['notifications', 'profiling', 'customer-notifications']);
}

async function groupsCaughtUp(db: Database, groups: string[]): Promise<boolean> {
  const positions = await db.db.select().from(consumerPositions).where(inArray(consumerPositions.group, groups));
  if (positions.length < groups.length) return false;
  for (const p of positions) {
    const [last] = await db.db.select({ offset: sql<number | null>`max(${busLog.offset})` }).from(busLog).where(inArray(busLog.type, p.types));
    if ((last?.offset ?? 0) > p.position) return false;
  }
  return true;
}

/** How many events a group has applied (inbox) beyond the log position it saved: a restart redelivers them. */
async function handledBeyondPosition(db: Database, group: string): Promise<number> {
  const [position] = await db.db.select().from(consumerPositions).where(eq(consumerPositions.group, group));
  const [row] = await db.db
    .select({ n: count() })
    .from(inbox)
    .innerJoin(busLog, eq(busLog.eventId, inbox.eventId))
    .where(and(eq(inbox.consumer, group), sql`${busLog.offset} > ${position?.position ?? 0}`));
  return row?.n ?? 0;
}

/** Every outbox event is in the bus log exactly once, and each subject's events are in the log in sequence order. */
async function expectLogComplete(db: Database) {
  const events = await db.db.select({ id: outbox.id, publishedAt: outbox.publishedAt }).from(outbox);
  expect(events.filter((e) => e.publishedAt === null)).toEqual([]);
  const logged = await db.db
    .select({ eventId: busLog.eventId, subject: busLog.subject, sequence: outbox.sequence })
    .from(busLog)
    .innerJoin(outbox, eq(outbox.id, busLog.eventId))
    .orderBy(asc(busLog.offset));
  const [all] = await db.db.select({ n: count() }).from(busLog);
  expect(all?.n).toBe(events.length);
  expect(new Set(logged.map((l) => l.eventId)).size).toBe(events.length);
  const lastSequence = new Map<string, number>();
  const outOfOrder: string[] = [];
  for (const l of logged) {
    if ((lastSequence.get(l.subject) ?? 0) > l.sequence) outOfOrder.push(`${l.subject}#${l.sequence}`);
    lastSequence.set(l.subject, l.sequence);
  }
  expect(outOfOrder).toEqual([]);
}

/** A group's inbox holds exactly the ids of the events of its types: each applied once, none missed. */
async function expectInbox(db: Database, group: string, types: readonly string[], expected: number) {
  const handled = await db.db.select({ eventId: inbox.eventId }).from(inbox).where(eq(inbox.consumer, group));
  const events = await db.db.select({ id: outbox.id }).from(outbox).where(inArray(outbox.type, [...types]));
  expect(events.length).toBe(expected);
  expect(handled.map((h) => h.eventId).sort()).toEqual(events.map((e) => e.id).sort());
}

/**
 * The exactly-once picture after onboarding `n` customers: one welcome email
 * each, sent once, with one `notification.sent`, one history row, one profile
 * and one `customer.profiled`; nothing dead-lettered.
 */
async function expectExactlyOnce(db: Database, n: number, smtp: SmtpSink, dispatcherKills: number) {
  expect(await countOf(db, customers)).toBe(n);
  expect(await eventsOfType(db, 'customer.onboarded')).toBe(n);

  const sent = await db.db.select().from(notifications);
  expect(sent.length).toBe(n);
  expect(new Set(sent.map((s) => s.customerId)).size).toBe(n);
  expect(sent.every((s) => s.status === 'sent' && s.template === 'welcome' && s.channel === 'email' && s.attempts === 1)).toBe(true);

  const sentEvents = await db.db.select({ data: outbox.data, subject: outbox.subject }).from(outbox).where(eq(outbox.type, 'notification.sent'));
  expect(sentEvents.length).toBe(n);
  expect(new Set(sentEvents.map((e) => e.data.notification_id)).size).toBe(n);
  expect(await eventsOfType(db, 'notification.failed')).toBe(0);

  const history = await db.db.select().from(customerNotifications);
  expect(history.length).toBe(n);
  expect(history.map((h) => h.notificationId).sort()).toEqual(sent.map((s) => s.id).sort());

  expect(await countOf(db, profiles)).toBe(n);
  const profiled = await db.db.select({ subject: outbox.subject }).from(outbox).where(eq(outbox.type, 'customer.profiled'));
  expect(profiled.length).toBe(n);
  expect(new Set(profiled.map((p) => p.subject)).size).toBe(n);

  expect(await db.db.select().from(deadLetters)).toEqual([]);
  await expectInbox(db, 'notifications', notificationsHandler.types, n);
  await expectInbox(db, 'profiling', profilingTypes, n);
  await expectInbox(db, 'customer-notifications', customerNotificationsHandler.types, n);
  await expectLogComplete(db);

  // The mail server got every notification; a message whose send was cut off by a
  // kill before it was marked sent may arrive again (same Message-ID), at most once per kill.
  const delivered = new Set(smtp.deliveries);
  expect([...delivered].sort()).toEqual(sent.map((s) => s.id).sort());
  expect(smtp.deliveries.length - n).toBeLessThanOrEqual(dispatcherKills);
}

// ---------------------------------------------------------------------------

describe('crash safety with real processes (SIGKILL)', () => {
  let platform: ProcessPlatform | undefined;
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
  });

  test('events committed but not yet relayed survive a SIGKILL of the API; after a restart each is applied exactly once', async () => {
    const N = 30;
    platform = await createProcessPlatform();
    const api1 = await platform.startApi();
    const token = await login(platform.base);
    const ids = await onboardOverHttp(platform.base, token, N, 'a');
    expect(new Set(ids).size).toBe(N);

    // No relay runs in the API process: the events are committed and pending.
    const listed = await api<Page<EventResource>>(platform.base, token, 'GET', '/v1/events?type=customer.onboarded&limit=100');
    expect(listed.body.data).toHaveLength(N);
    expect(listed.body.data.every((e) => e.delivery.state === 'pending' && e.delivery.handled_by.length === 0)).toBe(true);

    expect(await api1.kill('SIGKILL')).not.toBe(0);

    const db = await platform.db();
    const [pending] = await db.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
    expect(pending?.n).toBe(2 * N); // customer.onboarded + user.created each
    expect(await db.db.select().from(busLog)).toEqual([]);

    const workers = await platform.startWorkers();
    await pollUntil('pipeline done after restart', () => pipelineDone(db, N), { timeoutMs: 30_000 });
    await workers.kill('SIGTERM');
    await expectExactlyOnce(db, N, platform.smtp, 0);

    // The restarted API tells the same story.
    await platform.startApi();
    const token2 = await login(platform.base);
    const onboarded = await api<Page<EventResource>>(platform.base, token2, 'GET', '/v1/events?type=customer.onboarded&limit=100');
    expect(onboarded.body.data.every((e) => e.delivery.state === 'published')).toBe(true);
    expect(onboarded.body.data.every((e) => JSON.stringify(e.delivery.handled_by) === '["notifications","profiling"]')).toBe(true);
    const groups = (await api<ConsumerList>(platform.base, token2, 'GET', '/v1/consumers')).body.data;
    expect(groups.map((g) => g.group).sort()).toEqual(['audit-ingest', 'customer-notifications', 'invoice-documents', 'notifications', 'portal-invitations', 'portal-signups', 'profiling', 'suggestions', 'usage-ingest', 'webhooks']);
    expect(groups.every((g) => g.lag === 0 && g.dead_letters === 0)).toBe(true);
    const history = await api<Page<NotificationEntry>>(platform.base, token2, 'GET', `/v1/customers/${ids[0]}/notifications`);
    expect(history.body.data).toHaveLength(1);
    expect(history.body.data[0]).toMatchObject({ template: 'welcome', status: 'sent' });
  }, 60_000);

  test('workers killed in the middle of a batch: after a restart nothing is lost and nothing applied twice', async () => {
    const N = 300;
    platform = await createProcessPlatform();
    const apiProcess = await platform.startApi();
    const token = await login(platform.base);
    await onboardOverHttp(platform.base, token, N, 'b');
    await apiProcess.kill('SIGTERM');

    const db = await platform.db();
    const sentCount = () => countOf(db, notifications, eq(notifications.status, 'sent'));
    const handledBy = async (group: string) => (await db.db.select({ n: count() }).from(inbox).where(eq(inbox.consumer, group)))[0]?.n ?? 0;

    // Kill 1, while the consumers work through the backlog: effects of the current
    // batch are committed, the group's position is not, so the restart redelivers them.
    const first = await platform.startWorkers();
    await pollUntil('consumers part-way through the backlog', async () => (await handledBy('notifications')) >= N / 10 || (await handledBy('profiling')) >= N / 10);
    await first.kill('SIGKILL');
    const consumedAtKill = { notifications: await handledBy('notifications'), profiling: await handledBy('profiling') };
    expect(consumedAtKill.notifications + consumedAtKill.profiling).toBeGreaterThan(0);
    expect(Math.min(consumedAtKill.notifications, consumedAtKill.profiling)).toBeLessThan(N);
    const redelivered = (await handledBeyondPosition(db, 'notifications')) + (await handledBeyondPosition(db, 'profiling'));
    expect(redelivered).toBeGreaterThan(0);

    // Kill 2, while the dispatcher is sending: some emails out, not all.
    const second = await platform.startWorkers();
    await pollUntil('some notifications sent', async () => (await sentCount()) >= N / 10, { timeoutMs: 30_000 });
    await second.kill('SIGKILL');
    const sentAtKill = await sentCount();
    expect(sentAtKill).toBeGreaterThan(0);
    expect(sentAtKill).toBeLessThan(N);
    expect(await countOf(db, customerNotifications)).toBeLessThan(N);

    const third = await platform.startWorkers();
    await pollUntil('pipeline done after the second restart', () => pipelineDone(db, N), { timeoutMs: 40_000 });
    await third.kill('SIGTERM');
    await expectExactlyOnce(db, N, platform.smtp, 2);
  }, 60_000);

  test('the profiling worker killed mid-stream: every customer is profiled once, with one customer.profiled each', async () => {
    const N = 300;
    platform = await createProcessPlatform();
    const apiProcess = await platform.startApi();
    const token = await login(platform.base);
    await onboardOverHttp(platform.base, token, N, 'c');
    await apiProcess.kill('SIGTERM');

    const db = await platform.db();
    // The relay runs in its own process the whole time; the backlog is on the bus before profiling starts.
    await platform.startWorkers('workers/relay.ts');
    await pollUntil('onboarding events relayed', async () => (await db.db.select({ n: count() }).from(busLog).where(eq(busLog.type, 'customer.onboarded')))[0]?.n === N);

    // One command per commit, so the kill lands inside a batch of the bus (with group commit a whole
    // batch of distinct customers can commit at once and the window between its effects and the
    // saved position is too short to hit).
    const first = await platform.startWorkers('workers/profiling.ts', { GROUP_COMMIT_MAX: '1' });
    await pollUntil('some customers profiled', async () => (await countOf(db, profiles)) >= N / 10, { timeoutMs: 30_000 });
    await first.kill('SIGKILL');
    const profiledAtKill = await countOf(db, profiles);
    expect(profiledAtKill).toBeGreaterThan(0);
    expect(profiledAtKill).toBeLessThan(N);
    // Mid-batch: some events are handled beyond the position the group saved; they come again after the restart.
    expect(await handledBeyondPosition(db, 'profiling')).toBeGreaterThan(0);

    const second = await platform.startWorkers('workers/profiling.ts');
    await pollUntil('all profiled and relayed', async () => {
      const [unpublished] = await db.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
      return (await countOf(db, profiles)) === N && unpublished?.n === 0 && (await groupsCaughtUp(db, ['profiling']));
    }, { timeoutMs: 40_000 });
    await second.kill('SIGTERM');

    expect(await countOf(db, profiles)).toBe(N);
    const profiled = await db.db.select({ subject: outbox.subject }).from(outbox).where(eq(outbox.type, 'customer.profiled'));
    expect(profiled.length).toBe(N);
    expect(new Set(profiled.map((p) => p.subject)).size).toBe(N);
    await expectInbox(db, 'profiling', profilingTypes, N);
    expect(await db.db.select().from(deadLetters)).toEqual([]);
    await expectLogComplete(db);
  }, 60_000);
});

// ---------------------------------------------------------------------------
// Function level: the relay and the consumer on one in-process platform.

describe('relay and consumer guarantees (in process)', () => {
  let p: TestPlatform | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  const relayOptions = (platform: TestPlatform, bus: Bus, clock = platform.deps.clock): RelayOptions => ({
    db: platform.deps.db,
    transactor: platform.deps.transactor,
    bus,
    clock,
    logger: platform.deps.logger,
    leaseMs: 30_000,
    retryMs: 1_000,
  });
  const consumerDeps = (platform: TestPlatform): ConsumerDeps => platform.deps;
  const logCount = async (platform: TestPlatform) => (await platform.deps.db.select({ n: count() }).from(busLog))[0]!.n;
  const unpublished = async (platform: TestPlatform) => (await platform.deps.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt)))[0]!.n;

  test('a relay that dies after the bus accepted a batch but before marking it: the batch is published again, the log keeps each event once, the inbox absorbs redelivery', async () => {
    const clock = manualClock(Date.UTC(2026, 5, 1));
    p = await createTestPlatform({ build: { clock } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await onboardCustomer(p.ctx(), customerInput() as never)).id);
    expect(await unpublished(p)).toBe(10);

    // The "process" freezes for good right after the bus accepted the batch.
    const bus = p.deps.bus;
    let accepted!: () => void;
    const busAccepted = new Promise<void>((resolve) => (accepted = resolve));
    const dying: Bus = {
      ...bus,
      async publish(events) {
        await bus.publish(events);
        accepted();
        await new Promise(() => undefined); // never returns: the mark-published write never happens
      },
    };
    void relayOnce(relayOptions(p, dying, clock));
    await busAccepted;
    expect(await logCount(p)).toBe(10);
    expect(await unpublished(p)).toBe(10);

    // While the dead relay's lease runs, another relay leaves its rows alone.
    expect(await relayOnce(relayOptions(p, bus, clock))).toBe(0);
    // Once the lease is over, the rows are published again; the log does not grow.
    clock.advance(30_001);
    expect(await relayOnce(relayOptions(p, bus, clock))).toBe(10);
    expect(await unpublished(p)).toBe(0);
    expect(await logCount(p)).toBe(10);

    // Same if the mark itself is lost (published_at never committed).
    await p.deps.transactor.write((tx) => tx.update(outbox).set({ publishedAt: null, claimedUntil: null }));
    expect(await relayOnce(relayOptions(p, bus, clock))).toBe(10);
    expect(await logCount(p)).toBe(10);

    // Redelivered events are absorbed by each group's inbox.
    const deps = consumerDeps(p);
    const profilingHandler = createProfilingHandler({ firstPaymentBonusBps: 1000 });
    const envelopes = (await p.deps.db.select().from(busLog).where(eq(busLog.type, 'customer.onboarded')).orderBy(busLog.offset)).map((r) => JSON.parse(r.envelope) as CloudEvent);
    expect(envelopes).toHaveLength(5);
    for (const envelope of envelopes) {
      expect(await consumeOnce(deps, notificationsHandler, envelope)).toBe('handled');
      expect(await consumeOnce(deps, notificationsHandler, envelope)).toBe('duplicate');
      expect(await consumeOnce(deps, profilingHandler, envelope)).toBe('handled');
      expect(await consumeOnce(deps, profilingHandler, envelope)).toBe('duplicate');
    }
    expect(await p.deps.db.select({ n: count() }).from(notifications)).toEqual([{ n: 5 }]);
    expect(await p.deps.db.select({ n: count() }).from(profiles)).toEqual([{ n: 5 }]);
    expect(await p.deps.db.select({ n: count() }).from(outbox).where(eq(outbox.type, 'customer.profiled'))).toEqual([{ n: 5 }]);
    expect(await p.deps.db.select({ n: count() }).from(inbox)).toEqual([{ n: 10 }]);

    // A subscription whose position was lost (crash before it was saved) gets the whole log again: no new effects.
    await p.deps.transactor.write((tx) => tx.update(consumerPositions).set({ position: 0 }));
    const sub = startConsumer(deps, customerNotificationsHandler);
    const again = startConsumer(deps, notificationsHandler);
    await eventually(async () => {
      const [pos] = await p!.deps.db.select().from(consumerPositions).where(eq(consumerPositions.group, 'notifications'));
      return pos && pos.position >= (await logCount(p!)) - 5; // past every customer.onboarded
    });
    await again.stop();
    await sub.stop();
    expect(await p.deps.db.select({ n: count() }).from(notifications)).toEqual([{ n: 5 }]);
    expect(await p.deps.db.select({ n: count() }).from(inbox).where(eq(inbox.consumer, 'notifications'))).toEqual([{ n: 5 }]);
  });

  test('a subject keeps its order on the bus when a publish fails and a newer event of it commits meanwhile', async () => {
    const clock = manualClock(Date.UTC(2026, 5, 1));
    p = await createTestPlatform({ build: { clock } });
    const customer = await onboardCustomer(p.ctx(), customerInput() as never);
    const bus = p.deps.bus;
    const down: Bus = { ...bus, publish: async () => Promise.reject(new Error('broker unavailable')) };
    await expect(relayOnce(relayOptions(p, down, clock))).rejects.toThrow('broker unavailable');
    const failed = await p.deps.db.select().from(outbox);
    expect(failed.every((r) => r.attempts === 1 && r.lastError === 'broker unavailable' && r.publishedAt === null)).toBe(true);

    // A newer event of the same customer commits while the failed rows wait for their retry.
    clock.advance(10);
    await activateCustomer(p.ctx(), customer.id);
    // Woken by that commit, the relay must not publish it ahead of the older ones.
    await relayOnce(relayOptions(p, bus, clock));
    clock.advance(1_000);
    while ((await relayOnce(relayOptions(p, bus, clock))) > 0);
    expect(await unpublished(p)).toBe(0);

    const logged = await p.deps.db
      .select({ sequence: outbox.sequence, type: outbox.type })
      .from(busLog)
      .innerJoin(outbox, eq(outbox.id, busLog.eventId))
      .where(eq(busLog.subject, customer.id))
      .orderBy(asc(busLog.offset));
    expect(logged.map((l) => l.sequence)).toEqual([1, 2, 3]);
    expect(logged.map((l) => l.type)).toEqual(['customer.onboarded', 'user.created', 'customer.activated']);
  });

  test('a handler that keeps failing is retried with backoff, then dead-lettered with the reason; the group carries on', async () => {
    p = await createTestPlatform();
    const [a, b, c] = [await onboardCustomer(p.ctx(), customerInput() as never), await onboardCustomer(p.ctx(), customerInput() as never), await onboardCustomer(p.ctx(), customerInput() as never)];
    while ((await relayOnce(relayOptions(p, p.deps.bus))) > 0);

    const calls: string[] = [];
    const flaky: EventHandler = {
      group: 'flaky-notifications',
      types: notificationsHandler.types,
      async handle(ctx, event) {
        calls.push(event.subject);
        await notificationsHandler.handle(ctx, event);
        // Fails after writing its effects: they must roll back with the attempt.
        if (event.subject === b!.id) throw new Error('template exploded');
      },
    };
    const sleeps: number[] = [];
    const sub = startConsumer(consumerDeps(p), flaky, { attempts: 3, backoffMs: 1, sleep: async (ms) => void sleeps.push(ms) });
    try {
      await eventually(async () => (await p!.deps.db.select().from(inbox).where(eq(inbox.consumer, 'flaky-notifications'))).length === 2);
      // Order holds per subject only: other customers' events go on while B's are retried.
      expect(calls.filter((id) => id === b!.id)).toHaveLength(3);
      expect([...calls].sort()).toEqual([a!.id, b!.id, b!.id, b!.id, c!.id].sort());
      expect(sleeps).toEqual([1, 2]);
      const dead = await p.deps.db.select().from(deadLetters);
      const [bEvent] = await p.deps.db.select().from(outbox).where(and(eq(outbox.subject, b!.id), eq(outbox.type, 'customer.onboarded')));
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ consumer: 'flaky-notifications', eventId: bEvent!.id, type: 'customer.onboarded' });
      expect(dead[0]!.reason).toBe('failed 3 times: template exploded');
      expect((JSON.parse(dead[0]!.envelope) as CloudEvent).id).toBe(bEvent!.id);
      // B's effects never committed; A and C got theirs once.
      const sent = await p.deps.db.select({ customerId: notifications.customerId }).from(notifications);
      expect(sent.map((s) => s.customerId).sort()).toEqual([a!.id, c!.id].sort());

      // An event that breaks its schema is dead-lettered at once, never handed to the handler, and the group goes on.
      const broken: CloudEvent = { specversion: '1.0', id: 'evt_broken', source: 'test', type: 'customer.onboarded', subject: 'cus_broken', time: new Date().toISOString(), datacontenttype: 'application/json', sequence: 1, data: { customer: { id: 42 } } };
      const d = await onboardCustomer(p.ctx(), customerInput() as never);
      await p.deps.bus.publish([broken]);
      while ((await relayOnce(relayOptions(p, p.deps.bus))) > 0);
      await eventually(async () => (await p!.deps.db.select().from(inbox).where(eq(inbox.consumer, 'flaky-notifications'))).length === 3);
      expect(calls).not.toContain('cus_broken');
      expect(calls.at(-1)).toBe(d.id);
      const [brokenDead] = await p.deps.db.select().from(deadLetters).where(eq(deadLetters.eventId, 'evt_broken'));
      expect(brokenDead!.reason).toStartWith('invalid customer.onboarded data: customer.id');
      expect(sleeps).toEqual([1, 2]);
    } finally {
      await sub.stop();
    }
  });

  test('an unknown event type or an invalid envelope goes to the dead letters at once, each with its reason', async () => {
    p = await createTestPlatform();
    const deps = consumerDeps(p);
    let called = 0;
    const handler: EventHandler = { group: 'strict', types: ['customer.onboarded'], handle: async () => void called++ };
    const unknown = { specversion: '1.0', id: 'evt_unknown', source: 'test', type: 'customer.teleported', subject: 'cus_x', time: new Date().toISOString(), sequence: 1, data: {} };
    expect(await consumeOnce(deps, handler, unknown)).toBe('dead_lettered');
    // Two different envelopes without an id: both must be kept.
    expect(await consumeOnce(deps, handler, { specversion: '0.3', type: 'customer.onboarded', data: {} })).toBe('dead_lettered');
    expect(await consumeOnce(deps, handler, 'not even an object')).toBe('dead_lettered');
    expect(called).toBe(0);
    const dead = await p.deps.db.select().from(deadLetters).orderBy(deadLetters.createdAt, deadLetters.id);
    expect(dead.map((d) => d.consumer)).toEqual(['strict', 'strict', 'strict']);
    expect(dead[0]).toMatchObject({ eventId: 'evt_unknown', type: 'customer.teleported', reason: 'unknown event type customer.teleported' });
    expect(dead[1]!.reason).toStartWith('invalid envelope:');
    expect(JSON.parse(dead[1]!.envelope)).toEqual({ specversion: '0.3', type: 'customer.onboarded', data: {} });
    expect(dead[2]!.reason).toStartWith('invalid envelope:');
    expect(dead[1]!.eventId).toStartWith('unknown:');
    expect(dead[2]!.eventId).toStartWith('unknown:');
    expect(dead[1]!.eventId).not.toBe(dead[2]!.eventId);
    // The same bad envelope delivered again is parked once.
    expect(await consumeOnce(deps, handler, 'not even an object')).toBe('dead_lettered');
    expect(await p.deps.db.select({ n: count() }).from(deadLetters)).toEqual([{ n: 3 }]);
    expect(JSON.parse(dead[2]!.envelope)).toBe('not even an object');
    expect(await p.deps.db.select().from(inbox)).toEqual([]);
  });
});
