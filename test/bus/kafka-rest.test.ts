import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Admin } from '@platformatic/kafka';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../db/client.ts';
import { applyMigrations } from '../../db/migrate.ts';
import type { Bus } from '../../src/bus/bus.ts';
import { createKafkaBus } from '../../src/bus/kafka.ts';
import { createKafkaRestBus } from '../../src/bus/kafka-rest.ts';
import type { CloudEvent } from '../../src/events/envelope.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { newId } from '../../src/kernel/ids.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { createTransactor } from '../../src/kernel/transactor.ts';
import { eventually } from '../harness.ts';
import { describeKafka, kafkaBrokers, uniquePrefix } from '../kafka-env.ts';

/**
 * The REST adapter publishing through a Kafka REST proxy to the real broker, read back
 * by the native adapter and by kcat. The proxy here is scripts/kafka-rest.sh: a stand-in
 * speaking the Confluent REST Proxy v2 and v3 produce APIs (no real proxy — Karapace,
 * Confluent's, Redpanda's — can be installed from the registries this project reaches).
 */
const restUrl = process.env.KAFKA_REST_URL ?? '';
const prefix = uniquePrefix('rest');
const types = ['test.rest.v2', 'test.rest.v3'];
let database: Database;
let dir: string;
let native: Bus;
let clusterId: string;

const event = (type: string, subject: string, n: number): CloudEvent => ({
  specversion: '1.0', id: newId('evt'), source: 'urn:edge', type, subject, time: new Date().toISOString(), datacontenttype: 'application/json', sequence: n, data: { n },
});

/** partition<TAB>key of every record in a topic, read with kcat. */
function partitionsOf(topic: string): Map<string, Set<number>> {
  const out = spawnSync('kcat', ['-b', kafkaBrokers, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\t%k\n'], { encoding: 'utf8', timeout: 30_000 }).stdout;
  const byKey = new Map<string, Set<number>>();
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [partition, key] = line.split('\t');
    byKey.set(key!, (byKey.get(key!) ?? new Set()).add(Number(partition)));
  }
  return byKey;
}

const describeRest = (name: string, body: () => void) =>
  restUrl ? describeKafka(name, body) : describe.skip(`${name} [skipped: no Kafka REST proxy: set KAFKA_REST_URL=http://127.0.0.1:8082 after \`bash scripts/kafka-rest.sh start\`]`, body);

describeRest('Kafka REST adapter (through a REST proxy to the real broker)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rest-'));
    database = await openDatabase(`file:${join(dir, 'bus.db')}`);
    await applyMigrations(database);
    native = createKafkaBus({
      brokers: kafkaBrokers.split(','), clientId: 'rest-test', topicPrefix: prefix, partitions: 3, replicationFactor: 1, sessionTimeoutMs: 6000, retryMs: 200,
      db: database.db, transactor: createTransactor(database), clock: systemClock, logger: createLogger({ silent: true }),
    });
    const admin = new Admin({ clientId: 'rest-test-admin', bootstrapBrokers: kafkaBrokers.split(',') });
    await admin.createTopics({ topics: types.map((t) => `${prefix}${t}`), partitions: 3, replicas: 1 });
    await admin.close();
    clusterId = ((await (await fetch(`${restUrl}/v3/clusters`)).json()) as { data: { cluster_id: string }[] }).data[0]!.cluster_id;
  });
  afterAll(async () => {
    await native?.close();
    database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const api of ['v2', 'v3'] as const) {
    test(`${api}: events published over HTTP reach native consumers in order, on the same partition as the native producer picks for the subject`, async () => {
      const rest = createKafkaRestBus({ url: restUrl, api, clusterId, topicPrefix: prefix });
      expect(await rest.ping()).toBe(true);
      const type = `test.rest.${api}`;
      const subjects = ['cus_A', 'cus_B', 'cus_C', 'cus_D'].map((s) => `${s}${api}`);
      const viaRest = subjects.flatMap((s) => [1, 2, 3].map((n) => event(type, s, n)));
      await rest.publish(viaRest);
      // The same subjects through the native producer, to compare partitions.
      await native.publish(subjects.map((s) => event(type, s, 4)));

      const seen: CloudEvent[] = [];
      const sub = native.subscribe({ group: `rest-${api}`, types: [type], handle: async (raw) => void seen.push(raw as CloudEvent) });
      await eventually(async () => seen.length === 16, { timeoutMs: 30_000 });
      await sub.stop();
      for (const s of subjects) expect(seen.filter((e) => e.subject === s).map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
      expect(seen.find((e) => e.id === viaRest[0]!.id)).toEqual(viaRest[0]!);

      const partitions = partitionsOf(`${prefix}${type}`);
      for (const s of subjects) expect(partitions.get(s)?.size).toBe(1);
    });
  }

  test('a topic that does not exist, or a proxy that is not there, rejects the publish so the relay keeps the rows', async () => {
    const rest = createKafkaRestBus({ url: restUrl, api: 'v2', topicPrefix: prefix });
    await expect(rest.publish([event('test.rest.missing', 'cus_X', 1)])).rejects.toThrow(/404/);
    const gone = createKafkaRestBus({ url: 'http://127.0.0.1:9', api: 'v2', topicPrefix: prefix, timeoutMs: 2_000 });
    expect(await gone.ping()).toBe(false);
    await expect(gone.publish([event('test.rest.v2', 'cus_X', 1)])).rejects.toThrow();
    expect(() => rest.subscribe({ group: 'g', types: ['x'], handle: async () => {} })).toThrow(/only publishes/);
  });
});
