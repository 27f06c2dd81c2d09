import type { CloudEvent } from '../events/envelope.ts';
import type { Bus, GroupState, Subscription } from './bus.ts';
import { encodeEvent } from './cloudevents-kafka.ts';

export interface KafkaRestBusOptions {
  /** Base URL of the proxy: http://proxy:8082 (v2) or https://pkc-….confluent.cloud:443 (v3). */
  url: string;
  /** `v2`: POST /topics/<topic> (Confluent REST Proxy, Redpanda, Karapace). `v3`: Confluent's records API. */
  api: 'v2' | 'v3';
  /** The cluster id, for v3. */
  clusterId?: string | undefined;
  /** `key:secret` for HTTP basic auth (Confluent Cloud API keys), if the proxy wants it. */
  credentials?: string | undefined;
  topicPrefix: string;
  fetch?: typeof fetch;
  /** Abort a request after this long; the relay retries the batch. */
  timeoutMs?: number;
}

const V2_BINARY = 'application/vnd.kafka.binary.v2+json';
const V2_ACCEPT = 'application/vnd.kafka.v2+json, application/json';

const base64 = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
};

/**
 * Publishing to Kafka over HTTP through a Kafka REST proxy, for runtimes without TCP
 * sockets (Cloudflare Workers). It only publishes: consumers are long-running workers
 * and use the native adapter (`BUS=kafka`) on a server.
 *
 *   v2  POST /topics/<topic>, `application/vnd.kafka.binary.v2+json`, key and value base64:
 *       the key arrives as the subject's raw bytes, so the proxy partitions it like the
 *       native adapter (murmur2) and a subject keeps one partition whichever path it took.
 *       v2 has no record headers, so the value is the structured envelope without the
 *       `content-type` header (our consumers recognise the envelope by its shape).
 *   v3  POST /v3/clusters/<id>/topics/<topic>/records, one record per request in order,
 *       key BINARY, value JSON (the envelope), header `content-type`.
 * A batch is sent in order and `publish` resolves only when every record was acknowledged;
 * any error rejects it, so the relay keeps the rows and retries. Topics are not created
 * over REST: create them with the native adapter or Kafka's tools first (a 404 says which).
 */
export function createKafkaRestBus(options: KafkaRestBusOptions): Bus {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (options.api === 'v3' && !options.clusterId) throw new Error('KAFKA_REST_CLUSTER_ID is required for the v3 API');
  const auth: Record<string, string> = options.credentials ? { Authorization: `Basic ${base64(options.credentials)}` } : {};

  async function call(method: string, path: string, body: unknown, contentType: string): Promise<unknown> {
    const res = await doFetch(`${base}${path}`, {
      method,
      headers: { ...auth, Accept: V2_ACCEPT, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Kafka REST proxy answered ${res.status} to ${method} ${path}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }

  async function produce(topic: string, record: { key: string; value: string; headers: Record<string, string> }): Promise<void> {
    const path = `/topics/${encodeURIComponent(topic)}`;
    if (options.api === 'v2') {
      const answer = (await call('POST', path, { records: [{ key: base64(record.key), value: base64(record.value) }] }, V2_BINARY)) as { offsets?: { error_code?: number | null; error?: string | null }[] };
      const failed = answer?.offsets?.find((o) => o.error_code !== undefined && o.error_code !== null);
      if (!answer?.offsets?.length || failed) throw new Error(`Kafka REST proxy refused a record for ${topic}: ${failed?.error ?? 'no offset returned'}`);
      return;
    }
    const answer = (await call(
      'POST',
      `/v3/clusters/${encodeURIComponent(options.clusterId!)}${path}/records`,
      {
        key: { type: 'BINARY', data: base64(record.key) },
        value: { type: 'JSON', data: JSON.parse(record.value) },
        headers: Object.entries(record.headers).map(([name, value]) => ({ name, value: base64(value) })),
      },
      'application/json',
    )) as { error_code?: number; message?: string };
    if (answer?.error_code !== undefined && answer.error_code !== 200) throw new Error(`Kafka REST proxy refused a record for ${topic}: ${answer.message ?? answer.error_code}`);
  }

  return {
    name: 'kafka-rest',
    async publish(events: readonly CloudEvent[]) {
      for (const event of events) await produce(`${options.topicPrefix}${event.type}`, encodeEvent(event));
    },
    subscribe(): Subscription {
      throw new Error('the kafka-rest bus only publishes; run the workers with BUS=kafka on a server');
    },
    async deadLetter(group, raw, reason) {
      const type = (raw as { type?: unknown } | null)?.type;
      const topic = `${options.topicPrefix}${typeof type === 'string' ? type : 'undecodable'}.dlq`;
      await produce(topic, { key: group, value: JSON.stringify({ group, reason, event: raw }), headers: { 'dlq-reason': reason, 'dlq-group': group } });
    },
    async groups(): Promise<GroupState[]> {
      return [];
    },
    async ping() {
      try {
        await call('GET', options.api === 'v2' ? '/topics' : `/v3/clusters/${encodeURIComponent(options.clusterId!)}`, undefined, 'application/json');
        return true;
      } catch {
        return false;
      }
    },
    async close() {},
  };
}
