import { describe } from 'bun:test';

/**
 * Tests that need a real Kafka broker read its address from KAFKA_BROKERS (`.ci/run`
 * starts one with scripts/kafka.sh and sets it). Without it they are skipped, with the
 * reason in the skipped test's name.
 */
export const kafkaBrokers = process.env.KAFKA_BROKERS ?? '';
export const SKIP_REASON = 'no Kafka broker: set KAFKA_BROKERS=127.0.0.1:9092 after `bash scripts/kafka.sh start`';

/** A topic prefix no other run shares, so runs on one broker never see each other's events. */
export const uniquePrefix = (what: string) => `t-${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}.`;

/** `describe` when a broker is configured; otherwise one skipped test saying why. */
export function describeKafka(name: string, body: () => void) {
  if (kafkaBrokers) describe(name, body);
  else describe.skip(`${name} [skipped: ${SKIP_REASON}]`, body);
}

/** The environment that puts a test platform on the broker. */
export const kafkaEnv = (prefix: string) => ({ BUS: 'kafka', KAFKA_BROKERS: kafkaBrokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_SESSION_TIMEOUT_MS: '6000' });

export interface TestBus {
  name: 'embedded' | 'kafka';
  /** Environment for createTestPlatform: a fresh topic prefix each time on Kafka. */
  env(): Record<string, string>;
}

/**
 * Runs an end-to-end suite twice: on the embedded bus, and on a real Kafka broker
 * (skipped with the reason when none is configured).
 */
export function forEachBus(title: string, body: (bus: TestBus) => void) {
  describe(`${title} [embedded bus]`, () => body({ name: 'embedded', env: () => ({}) }));
  describeKafka(`${title} [kafka bus]`, () => body({ name: 'kafka', env: () => kafkaEnv(uniquePrefix('e2e')) }));
}
