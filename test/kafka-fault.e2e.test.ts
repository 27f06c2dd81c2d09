import { afterAll, afterEach, expect, test } from 'bun:test';
import { Admin } from '@platformatic/kafka';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { and, count, eq, isNull } from 'drizzle-orm';
import { inbox, outbox, profiles } from '../db/schema/index.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';
import { describeKafka, kafkaBrokers, kafkaEnv, uniquePrefix } from './kafka-env.ts';
import { freePort, killAll, ROOT, spawnBun } from './processes.ts';
import type { ConsumerList } from '../src/events/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { Readiness } from '../src/http/health.ts';

/**
 * Faults on the Kafka bus with real processes and a real broker: workers killed with
 * SIGKILL in the middle of the stream, a second instance taking over the partitions,
 * and the broker itself stopped while the API keeps taking writes.
 */
let p: TestPlatform | undefined;
afterEach(async () => {
  await killAll();
  await p?.close();
  p = undefined;
});

const countOf = async (query: Promise<{ n: number }[]>) => (await query)[0]?.n ?? 0;

async function onboard(platform: TestPlatform, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => platform.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() })));
    for (const res of batch) {
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
  }
  return ids;
}

async function groupMembers(group: string): Promise<number> {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: kafkaBrokers.split(',') });
  try {
    const groups = await admin.describeGroups({ groups: [group] });
    return groups.get(group)?.members.size ?? 0;
  } finally {
    await admin.close();
  }
}

describeKafka('Kafka faults with real processes', () => {
  test('two profiling workers share the partitions; one is SIGKILLed mid-stream, the other takes its partitions over, and no effect is applied twice', async () => {
    const N = 600;
    const prefix = uniquePrefix('scale');
    const env = kafkaEnv(prefix);
    p = await createTestPlatform({ env });
    const db = p.deps.db;
    const workerEnv = { ...env, DATABASE_URL: `file:${join(p.dir, 'app.db')}`, DATA_DIR: p.dir, PORT: String(await freePort()), LOG_SILENT: '0' };
    const a = spawnBun('profiling-a', 'workers/profiling.ts', workerEnv);
    const b = spawnBun('profiling-b', 'workers/profiling.ts', workerEnv);
    await Promise.all([a.waitForOutput(/"msg":"workers started"/), b.waitForOutput(/"msg":"workers started"/)]);
    // Both are members of the group, each with its share of the partitions, before any event arrives.
    await eventually(async () => (await groupMembers(`${prefix}profiling`)) === 2, { timeoutMs: 30_000 });

    p.startWorkers(['relay']);
    // Customers keep arriving while a is killed, so the kill lands mid-stream however fast the workers are.
    const onboarding = onboard(p, N);
    const profiled = () => countOf(db.select({ n: count() }).from(profiles));
    await eventually(async () => (await profiled()) >= N / 10, { timeoutMs: 30_000, intervalMs: 5 });
    await a.kill('SIGKILL');
    const atKill = await profiled();
    expect(atKill).toBeLessThan(N);
    await onboarding;

    // b gets a's partitions once the broker notices a is gone, and resumes from a's last committed offsets.
    await eventually(async () => (await profiled()) === N, { timeoutMs: 45_000 });
    // The broker drops a from the group after its session timeout (a's partitions may have been drained already).
    await eventually(async () => (await groupMembers(`${prefix}profiling`)) === 1, { timeoutMs: 45_000 });

    // A restarted a joins again and finds nothing left to do twice.
    const again = spawnBun('profiling-a2', 'workers/profiling.ts', workerEnv);
    await again.waitForOutput(/"msg":"workers started"/);
    await eventually(async () => (await groupMembers(`${prefix}profiling`)) === 2, { timeoutMs: 30_000 });
    expect(await profiled()).toBe(N);
    expect(await countOf(db.select({ n: count() }).from(outbox).where(eq(outbox.type, 'customer.profiled')))).toBe(N);
    expect(await countOf(db.select({ n: count() }).from(inbox).where(eq(inbox.consumer, 'profiling')))).toBe(N);
    const lag = await eventually(async () => {
      const groups = (await p!.call<ConsumerList>('GET', '/v1/consumers')).body.data;
      const g = groups.find((x) => x.group === 'profiling');
      return g && g.lag === 0 ? g : null;
    }, { timeoutMs: 20_000 });
    expect(lag.lag).toBe(0);
  }, 120_000);

  test('with the broker stopped the API keeps taking writes without waiting for it; the outbox grows; after the broker returns every event is delivered', async () => {
    // A broker of this test's own, so stopping it disturbs no other test.
    const port = 19092;
    const brokerEnv = { ...process.env, KAFKA_PORT: String(port), KAFKA_STATE_DIR: join(ROOT, '.kafka', 'outage') };
    const broker = (command: string) => {
      const result = spawnSync('bash', ['scripts/kafka.sh', command], { cwd: ROOT, env: brokerEnv, encoding: 'utf8', timeout: 120_000 });
      if (result.status !== 0) throw new Error(`kafka.sh ${command}: ${result.stdout}\n${result.stderr}`);
    };
    broker('start');
    try {
      p = await createTestPlatform({ env: { ...kafkaEnv(uniquePrefix('outage')), KAFKA_BROKERS: `127.0.0.1:${port}` } });
      p.startWorkers(['relay', 'notifications', 'profiling']);
      const before = await onboard(p, 5);
      await eventually(async () => (await countOf(p!.deps.db.select({ n: count() }).from(profiles))) === 5, { timeoutMs: 30_000 });

      broker('stop');
      const during: string[] = [];
      for (let i = 0; i < 30; i++) {
        const started = performance.now();
        const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
        const took = performance.now() - started;
        expect(res.status).toBe(201);
        // A request that waited for the broker would take the producer's 10 s timeout at least.
        expect(took).toBeLessThan(2_000);
        during.push(res.body.id);
      }
      const pending = await countOf(p.deps.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt)));
      expect(pending).toBeGreaterThanOrEqual(30);
      const ready = await p.call<Readiness>('GET', '/readyz', { token: null });
      expect(ready.status).toBe(503);
      expect(ready.body.checks.bus).toBe('unreachable');

      broker('start');
      await eventually(async () => (await countOf(p!.deps.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt)))) === 0, { timeoutMs: 60_000 });
      await eventually(async () => (await countOf(p!.deps.db.select({ n: count() }).from(profiles))) === 35, { timeoutMs: 60_000 });
      const welcomed = await eventually(async () => {
        const n = await countOf(p!.deps.db.select({ n: count() }).from(inbox).where(eq(inbox.consumer, 'notifications')));
        return n === 35 ? n : null;
      }, { timeoutMs: 30_000 });
      expect(welcomed).toBe(35);
      expect([...before, ...during]).toHaveLength(35);
      expect((await p.call('GET', '/readyz', { token: null })).status).toBe(200);
    } finally {
      await p?.close();
      p = undefined;
      broker('stop');
    }
  }, 240_000);
});

afterAll(() => killAll());
