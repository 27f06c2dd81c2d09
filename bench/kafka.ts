import { compatibilityPartitioner, Producer, stringSerializers } from '@platformatic/kafka';
import LibsqlDatabase from 'libsql';
import { join } from 'node:path';
import { createKafkaBus } from '../src/bus/kafka.ts';
import { relayOnce } from '../src/bus/relay.ts';
import { encodeEvent } from '../src/bus/cloudevents-kafka.ts';
import type { CloudEvent } from '../src/events/envelope.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { newId } from '../src/kernel/ids.ts';
import { createLogger } from '../src/kernel/logger.ts';
import { createTransactor } from '../src/kernel/transactor.ts';
import { openTempDatabase } from '../test/processes.ts';
import type { Row } from './lib/report.ts';

const EVENTS = 20_000;
/** The relay's own batch (src/bus/relay.ts): the raw producer sends the same batches. */
const BATCH = 1_000;

const eventAt = (i: number): CloudEvent => ({
  specversion: '1.0',
  id: newId('evt'),
  source: 'urn:subscription-platform',
  type: 'customer.updated',
  subject: newId('cus'),
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  sequence: 1,
  data: { customer: { id: `cus_${i}`, name: `Customer ${i}`, email: `c${i}@bench.example`, status: 'active' }, changed: ['name'] },
});

/** The ceiling: the same client, producer settings and batches as the Kafka adapter, sending prepared records. */
async function rawProducer(brokers: string[], topic: string): Promise<number> {
  const producer = new Producer({ bootstrapBrokers: brokers, clientId: 'bench-raw', idempotent: true, acks: -1, serializers: stringSerializers, autocreateTopics: false, partitioner: compatibilityPartitioner });
  try {
    const records = Array.from({ length: EVENTS }, (_, i) => ({ topic, ...encodeEvent(eventAt(i)) }));
    await producer.send({ messages: records.slice(0, BATCH) }); // connects and warms up
    const start = performance.now();
    for (let i = 0; i < EVENTS; i += BATCH) await producer.send({ messages: records.slice(i, i + BATCH) });
    return EVENTS / ((performance.now() - start) / 1000);
  } finally {
    await producer.close();
  }
}

/** 4: the relay publishing committed outbox rows to Kafka, against a raw producer of the same client and settings. */
export async function kafkaRelay(): Promise<Row[]> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    console.log('relay to Kafka: skipped, no broker (set KAFKA_BROKERS=127.0.0.1:9092 after `bash scripts/kafka.sh start`)');
    return [];
  }
  const prefix = `bench-${Date.now()}-`;
  const data = await openTempDatabase('bench-kafka-');
  const { database } = data;
  const logger = createLogger({ silent: true });
  const transactor = createTransactor(database);
  const bus = createKafkaBus({ brokers: brokers.split(','), clientId: 'bench', topicPrefix: prefix, partitions: 3, replicationFactor: 1, sessionTimeoutMs: 10_000, retryMs: 1_000, db: database.db, transactor, clock: systemClock, logger });
  try {
    // Committed events waiting in the outbox, written straight through the driver.
    const raw = new LibsqlDatabase(join(data.dir, 'app.db'));
    const insert = raw.prepare('insert into outbox (id, type, source, subject, sequence, time, data, attempts) values (?, ?, ?, ?, ?, ?, ?, 0)');
    raw.exec('BEGIN');
    for (let i = 0; i < EVENTS; i++) {
      const e = eventAt(i);
      insert.run(e.id, e.type, e.source, e.subject, e.sequence, Date.now(), JSON.stringify(e.data));
    }
    raw.exec('COMMIT');
    raw.close();
    const options = { db: database.db, transactor, bus, clock: systemClock, logger, maxParameters: database.maxParameters };
    await bus.publish([eventAt(-1)]); // creates the topic and connects, as a running relay would have
    const start = performance.now();
    let published = 0;
    for (let n; (n = await relayOnce(options)) > 0; ) published += n;
    const relay = published / ((performance.now() - start) / 1000);
    const ceiling = await rawProducer(brokers.split(','), `${prefix}customer.updated`);
    return [{ name: `relay: outbox → Kafka (${EVENTS.toLocaleString('en-US')} events)`, figure: relay, unit: 'events/s', ceilingName: 'raw producer msg/s (same client and settings)', ceiling, target: 0.5 }];
  } finally {
    await bus.close();
    data.remove();
  }
}
