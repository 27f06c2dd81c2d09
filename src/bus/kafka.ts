import { Admin, compatibilityPartitioner, Consumer, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka';
import type { Db } from '../../db/client.ts';
import type { CloudEvent } from '../events/envelope.ts';
import type { Clock } from '../kernel/clock.ts';
import { describeError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Transactor } from '../kernel/transactor.ts';
import type { Bus, GroupState, SubscribeOptions, Subscription } from './bus.ts';
import { decodeRecord, encodeEvent } from './cloudevents-kafka.ts';
import { deadLetterCounts, recordDeadLetter } from './dead-letters.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** Prefixed to every topic name (one cluster, several environments). */
  topicPrefix: string;
  partitions: number;
  replicationFactor: number;
  /** Consumer group session timeout: how long a dead worker keeps its partitions. */
  sessionTimeoutMs: number;
  /** Wait before handing an event back to the handler after an infrastructure failure. */
  retryMs: number;
  /** The dead-letter table (what /v1/consumers counts and erasure redacts). */
  db: Db;
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
}

/**
 * Apache Kafka as the bus (@platformatic/kafka, pure JavaScript).
 *
 *   topics       one per event type (`<prefix><type>`), created on first use with the
 *                configured partitions; dead letters go to `<topic>.dlq` with the reason
 *                and group in headers (and to the dead-letter table).
 *   publishing   an idempotent producer with acks=all; `publish` resolves only when the
 *                brokers acknowledged every record, so the relay marks an outbox row
 *                published only then. Key = subject: one aggregate, one partition, in order;
 *                partitions are chosen as the Java client does (murmur2), so records another
 *                producer (kcat, a Java service, a REST proxy) keys the same land together.
 *   consuming    one consumer group per worker (`<prefix><worker>`); a record's offset is committed only after
 *                its handler resolved, i.e. after its effects and inbox row committed. A
 *                handler that throws (the database is down) gets the same record again
 *                after `retryMs`, never the next one. Two instances of a worker share the
 *                partitions; when one stops (or dies, after the session timeout) the other
 *                takes its partitions over from the last committed offsets.
 */
export function createKafkaBus(options: KafkaBusOptions): Bus {
  const { brokers, clientId, topicPrefix, logger } = options;
  const base = { bootstrapBrokers: brokers, timeout: 10_000, retries: 3, retryDelay: 250 };
  const producer = new Producer({ ...base, clientId: `${clientId}-producer`, idempotent: true, acks: -1, serializers: stringSerializers, autocreateTopics: false, partitioner: compatibilityPartitioner });
  const admin = new Admin({ ...base, clientId: `${clientId}-admin` });
  const subscriptions = new Set<Subscription>();
  /** Groups subscribed through this bus and their topics (a group that has not committed yet still has lag). */
  const subscribed = new Map<string, string[]>();
  const known = new Set<string>();

  const topicOf = (type: string) => `${topicPrefix}${type}`;
  /** Consumer groups are namespaced by the same prefix, so environments sharing a cluster never share a group. */
  const groupIdOf = (group: string) => `${topicPrefix}${group}`;
  const typeOf = (topic: string) => topic.slice(topicPrefix.length);

  const creating = new Map<string, Promise<void>>();

  /**
   * Waits until a new topic's every partition has a leader. Right after CreateTopics the broker may
   * not list it yet, and the producer's client then fails a send with a TypeError thrown outside
   * the send's promise (its metadata has no entry for the topic), which no caller can catch.
   */
  async function leadersOf(topic: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const metadata = await admin.metadata({ topics: [topic], forceUpdate: true }).catch(() => null);
      const found = metadata?.topics.get(topic);
      if (found && found.partitionsCount > 0 && found.partitions.every((p) => p !== undefined && p.leader >= 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`topic ${topic} has no leader for every partition 5 s after it was created`);
  }

  /** Creates the topics that do not exist yet (once per topic and process; racing creators are fine). */
  async function ensureTopics(topics: string[]): Promise<void> {
    const missing = topics.filter((t) => !known.has(t));
    if (missing.length === 0) return;
    const existing = new Set(await admin.listTopics());
    await Promise.all(
      missing.map((topic) => {
        if (existing.has(topic)) {
          known.add(topic);
          return undefined;
        }
        let pending = creating.get(topic);
        if (!pending) {
          pending = admin
            .createTopics({ topics: [topic], partitions: options.partitions, replicas: options.replicationFactor })
            .then(
              () => undefined,
              (error: unknown) => {
                // Another process (or an earlier call of ours) created it first.
                if (!/already exists/i.test(describeError(error))) throw error;
              },
            )
            .then(() => leadersOf(topic))
            .then(() => void known.add(topic))
            .finally(() => creating.delete(topic));
          creating.set(topic, pending);
        }
        return pending;
      }),
    );
  }

  function subscribe({ group, types, handle }: SubscribeOptions): Subscription {
    let stopped = false;
    let consumer: Consumer<string, string, string, string> | null = null;
    const topics = types.map(topicOf);
    subscribed.set(group, topics);
    const loop = (async () => {
      while (!stopped) {
        try {
          await ensureTopics(topics);
          consumer = new Consumer({
            ...base,
            clientId: `${clientId}-${group}`,
            groupId: groupIdOf(group),
            deserializers: stringDeserializers,
            autocommit: false,
            sessionTimeout: options.sessionTimeoutMs,
            heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 5)),
            rebalanceTimeout: options.sessionTimeoutMs,
          });
          const stream = await consumer.consume({ topics, mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: 500 });
          // stop() may have run while the consumer was joining: it could not close what did not exist yet.
          if (stopped) break;
          for await (const message of stream as AsyncIterable<Message<string, string, string, string>>) {
            if (stopped) break;
            const raw = decodeRecord(message.value ?? undefined, message.headers);
            for (;;) {
              try {
                await handle(raw);
                break;
              } catch (error) {
                if (stopped) throw error;
                logger.error('kafka delivery failed; retrying the same record', { group, topic: message.topic, partition: message.partition, offset: String(message.offset), error: describeError(error) });
                await sleep(options.retryMs);
              }
            }
            await message.commit();
          }
        } catch (error) {
          if (stopped) break;
          logger.error('kafka subscription failed; reconnecting', { group, error: describeError(error) });
          await consumer?.close(true).catch(() => {});
          consumer = null;
          await sleep(options.retryMs);
        }
      }
      await consumer?.close(true).catch(() => {});
    })();
    const subscription: Subscription = {
      async stop() {
        stopped = true;
        // Leaving the group hands this member's partitions to the others at once.
        await consumer?.close(true).catch((error: unknown) => logger.warn('kafka consumer close failed', { group, error: describeError(error) }));
        await loop;
        subscriptions.delete(subscription);
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  return {
    name: 'kafka',
    async publish(events: readonly CloudEvent[]) {
      if (events.length === 0) return;
      await ensureTopics([...new Set(events.map((e) => topicOf(e.type)))]);
      await producer.send({ messages: events.map((e) => ({ topic: topicOf(e.type), ...encodeEvent(e) })) });
    },
    subscribe,
    async deadLetter(group, raw, reason) {
      const type = (raw as { type?: unknown } | null)?.type;
      const topic = `${typeof type === 'string' && /^[\w.-]{1,200}$/.test(type) ? topicOf(type) : `${topicPrefix}undecodable`}.dlq`;
      await ensureTopics([topic]);
      const id = (raw as { id?: unknown } | null)?.id;
      await producer.send({
        messages: [{ topic, key: typeof id === 'string' ? id : undefined, value: JSON.stringify(raw) ?? 'null', headers: { 'dlq-reason': reason, 'dlq-group': group } }],
      });
      await recordDeadLetter(options, group, raw, reason);
    },
    async groups(): Promise<GroupState[]> {
      const listed = await admin.listGroups();
      const ids = [...new Set([...[...listed.keys()].filter((g) => g.startsWith(topicPrefix) && !g.startsWith('_')).map((g) => g.slice(topicPrefix.length)), ...subscribed.keys()])].sort();
      if (ids.length === 0) return [];
      const committed = new Map((await admin.listConsumerGroupOffsets({ groups: ids.map(groupIdOf) })).map((g) => [g.groupId.slice(topicPrefix.length), g.topics]));
      // A group's topics: what it subscribed to here, else what it has committed offsets in.
      const topicsOf = new Map(
        ids.map((g) => [g, subscribed.get(g) ?? (committed.get(g) ?? []).map((t) => t.name).filter((t) => t.startsWith(topicPrefix) && !t.endsWith('.dlq'))] as const),
      );
      const topics = [...new Set([...topicsOf.values()].flat())];
      if (topics.length === 0) return [];
      await ensureTopics(topics);
      const metadata = await admin.metadata({ topics, forceUpdate: true });
      const offsets = async (timestamp: bigint) => {
        const listedOffsets = await admin.listOffsets({
          topics: topics.map((name) => ({ name, partitions: Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, partitionIndex) => ({ partitionIndex, timestamp })) })),
        });
        return new Map(listedOffsets.flatMap((t) => t.partitions.map((p) => [`${t.name}/${p.partitionIndex}`, p.offset] as const)));
      };
      const [earliest, latest] = [await offsets(-2n), await offsets(-1n)];
      const parked = await deadLetterCounts(options.db);
      const states: GroupState[] = [];
      for (const group of ids) {
        const mine = topicsOf.get(group) ?? [];
        if (mine.length === 0) continue;
        const done = new Map((committed.get(group) ?? []).flatMap((t) => t.partitions.map((p) => [`${t.name}/${p.partitionIndex}`, p.committedOffset] as const)));
        let position = 0n;
        let lag = 0n;
        for (const [key, end] of latest) {
          if (!mine.includes(key.slice(0, key.lastIndexOf('/')))) continue;
          // No commit yet: the group starts from the earliest record (fallbackMode earliest).
          const at = (done.get(key) ?? -1n) >= 0n ? done.get(key)! : (earliest.get(key) ?? 0n);
          position += at;
          if (end > at) lag += end - at;
        }
        states.push({ group, types: mine.map(typeOf).sort(), position: Number(position), lag: Number(lag), deadLetters: parked.get(group) ?? 0, updatedAt: null });
      }
      return states;
    },
    async ping() {
      try {
        // Forced: the client answers from its metadata cache otherwise, and a stopped broker would look alive.
        await admin.metadata({ topics: [], forceUpdate: true });
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      for (const s of [...subscriptions]) await s.stop();
      await producer.close().catch(() => {});
      await admin.close().catch(() => {});
    },
  };
}
