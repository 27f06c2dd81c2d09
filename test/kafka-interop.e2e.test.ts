import { afterAll, beforeAll, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { manualClock } from '../src/kernel/clock.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';
import { describeKafka, kafkaBrokers, kafkaEnv, uniquePrefix } from './kafka-env.ts';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventResource } from '../src/events/contract.ts';
import type { UsagePeriodResource } from '../src/usage/contract.ts';

/**
 * Other programs on the same topics: kcat (Debian's, as an operator or an AI gateway
 * would use it) and Kafka's own console consumer read what we publish, and usage
 * records kcat produces are consumed and billed.
 */
const REPO = join(import.meta.dir, '..');
const START = Date.UTC(2026, 2, 1);
const clock = manualClock(START);
const prefix = uniquePrefix('interop');
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

function run(command: string, args: string[], input?: string) {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 60_000, cwd: REPO });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

describeKafka('interoperability with Kafka tools', () => {
  beforeAll(async () => {
    p = await createTestPlatform({ env: kafkaEnv(prefix), build: { clock, payments: createSandboxProvider() } });
    f = billingFixtures(p);
    p.startWorkers(['relay', 'usage-ingest']);
  });
  afterAll(() => p.close());

  test('kcat and the console consumer read our events: key = subject, value = the CloudEvents envelope', async () => {
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ name: 'Interop GmbH' }) });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await eventually(async () => (await p.call<Page<EventResource>>('GET', `/v1/events?subject=${id}`)).body.data[0]?.delivery.state === 'published');
    const topic = `${prefix}customer.onboarded`;

    const lines = run('kcat', ['-b', kafkaBrokers, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%h\t%s\n']).trim().split('\n');
    const mine = lines.map((l) => l.split('\t')).find(([key]) => key === id);
    expect(mine).toBeDefined();
    const [, headers, value] = mine!;
    expect(headers).toContain('content-type=application/cloudevents+json');
    const envelope: unknown = JSON.parse(value!);
    expect(envelope).toMatchObject({ specversion: '1.0', type: 'customer.onboarded', subject: id, source: 'urn:subscription-platform', sequence: 1, data: { customer: { id, name: 'Interop GmbH' } } });

    const consoleOut = run('bash', ['scripts/kafka.sh', 'console-consumer', topic, '--from-beginning', '--max-messages', '1', '--timeout-ms', '30000', '--property', 'print.key=true', '--property', 'key.separator=\t']);
    const line = consoleOut.split('\n').find((l) => l.startsWith(`${id}\t`));
    expect(JSON.parse(line!.slice(id.length + 1))).toEqual(envelope);
  });

  test('usage records produced with kcat, in binary and in structured mode, are consumed and billed', async () => {
    clock.set(START);
    const plan = await f.plan({ price_amount: 1000, included_tokens: 1000, overage_price_per_1k: 100 });
    const customer = await f.customer({ payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
    await f.cycle(); // the first invoice is paid: active

    const topic = `${prefix}usage.reported`;
    // A day into the period, with the clock there too: records ahead of the clock are refused (in_future).
    clock.set(START + 86_400_000);
    const at = new Date(START + 86_400_000).toISOString();
    // Binary mode: attributes in ce_* headers, the record as the value.
    run('kcat', ['-b', kafkaBrokers, '-P', '-t', topic, '-k', customer.id,
      '-H', 'ce_specversion=1.0', '-H', 'ce_id=gateway-1', '-H', 'ce_source=urn:ai-gateway', '-H', 'ce_type=usage.reported', '-H', `ce_subject=${customer.id}`, '-H', `ce_time=${at}`, '-H', 'content-type=application/json'],
      JSON.stringify({ id: 'kcat-usage-1', customer_id: customer.id, model: 'gpt-x', tokens: 1500, occurred_at: at }));
    // Structured mode: the whole envelope as the value.
    const envelope = { specversion: '1.0', id: 'gateway-2', source: 'urn:ai-gateway', type: 'usage.reported', subject: customer.id, time: at, data: { id: 'kcat-usage-2', customer_id: customer.id, model: 'gpt-x', tokens: 700, occurred_at: at } };
    run('kcat', ['-b', kafkaBrokers, '-P', '-t', topic, '-k', customer.id, '-H', 'content-type=application/cloudevents+json'], JSON.stringify(envelope));

    const usage = await eventually(async () => {
      const u = await f.ok<UsagePeriodResource>('GET', `/v1/subscriptions/${sub.id}/usage`);
      return u.used_tokens === 2200 ? u : null;
    }, { timeoutMs: 30_000 });
    expect(usage).toMatchObject({ included_tokens: 1000, overage_tokens: 1200 });

    // A record that breaks the rules goes to usage.reported.dlq with the reason in a header.
    run('kcat', ['-b', kafkaBrokers, '-P', '-t', topic, '-k', customer.id, '-H', 'content-type=application/cloudevents+json'],
      JSON.stringify({ ...envelope, id: 'gateway-3', data: { ...envelope.data, id: 'kcat-usage-3', tokens: -5 } }));
    const parked = await eventually(async () => {
      const out = spawnSync('kcat', ['-b', kafkaBrokers, '-C', '-t', `${topic}.dlq`, '-o', 'beginning', '-e', '-q', '-f', '%h\t%s\n'], { encoding: 'utf8', timeout: 30_000 }).stdout;
      return out.split('\n').find((l) => l.includes('gateway-3')) ?? null;
    }, { timeoutMs: 30_000 });
    expect(parked).toContain('dlq-group=');
    expect(parked).toMatch(/dlq-reason=[^\t]*tokens/);

    // The renewal bills the overage: 1,200 tokens × 100 / 1,000 = 120.
    clock.set(Date.UTC(2026, 3, 1));
    await f.cycle();
    const renewal = (await f.invoices(`subscription_id=${sub.id}`))[1]!;
    expect(renewal.lines.map((l) => [l.kind, l.amount, l.quantity])).toEqual([['subscription_fee', 1000, 1], ['usage_overage', 120, 1200]]);
    expect(renewal).toMatchObject({ total: 1120, status: 'paid' });
  });
});
