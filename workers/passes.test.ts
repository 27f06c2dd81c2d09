import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CustomerResource, NotificationEntry } from '../src/customers/contract.ts';
import type { EventResource } from '../src/events/contract.ts';
import { createTestPlatform, customerInput, type TestPlatform } from '../test/harness.ts';
import { createPasses, type Passes } from './passes.ts';

/** Runs rounds until one finds nothing to do, as the Durable Object's re-armed alarm does; returns how many ran. */
async function runUntilIdle(passes: Passes, maxRounds = 20): Promise<number> {
  for (let round = 1; round <= maxRounds; round++) {
    const report = await passes.runOnce();
    expect(report.failed).toEqual([]);
    if (report.work === 0) return round;
  }
  throw new Error(`still busy after ${maxRounds} rounds`);
}

describe('worker passes (the Workers alarm) on the embedded bus', () => {
  let p: TestPlatform;
  let passes: Passes;
  beforeAll(async () => {
    p = await createTestPlatform();
    passes = createPasses(p.deps);
  });
  afterAll(() => p.close());

  test('runs every embedded consumer group', () => {
    expect([...passes.consumers].sort()).toEqual(['audit-ingest', 'customer-notifications', 'notifications', 'portal-invitations', 'portal-signups', 'profiling', 'suggestions', 'usage-ingest', 'webhooks']);
  });

  test('an onboarding reaches its welcome, profile and events through passes alone, then the passes go idle', async () => {
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    expect(created.status).toBe(201);
    const rounds = await runUntilIdle(passes);
    expect(rounds).toBeGreaterThan(1);

    const types = (await p.call<Page<EventResource>>('GET', `/v1/events?subject=${created.body.id}`)).body.data.map((e) => e.type);
    expect(types).toContain('customer.onboarded');
    expect(types).toContain('customer.profiled');
    expect(types.filter((t) => t === 'notification.sent')).toHaveLength(1);
    const notifications = (await p.call<Page<NotificationEntry>>('GET', `/v1/customers/${created.body.id}/notifications`)).body.data;
    expect(notifications).toMatchObject([{ template: 'welcome', status: 'sent' }]);
    const events = (await p.call<Page<EventResource>>('GET', `/v1/events?subject=${created.body.id}`)).body.data;
    expect(events.every((e) => e.delivery.state === 'published')).toBe(true);
    expect((await passes.runOnce()).work).toBe(0);
  });
});

describe('the order of the passes', () => {
  test('the relay first, then each embedded consumer group, the senders, and billing and the purge last', async () => {
    const p = await createTestPlatform();
    const passes = createPasses(p.deps);
    // With its database gone every pass fails, and the report names them in the order they ran.
    p.deps.database.close();
    const report = await passes.runOnce();
    await p.close(); // closing twice is harmless; this removes the folder
    expect(report.failed).toEqual([
      'relay',
      'notifications', 'profiling', 'customer-notifications', 'usage-ingest', 'webhooks', 'portal-signups', 'portal-invitations', 'suggestions', 'audit-ingest',
      'notification dispatch', 'webhook delivery',
      'billing', 'idempotency purge',
    ]);
  });
});

describe('worker passes on BUS=kafka-rest', () => {
  test('run no consumer group: the events are not in this database\'s log', async () => {
    const p = await createTestPlatform({ env: { BUS: 'kafka-rest', KAFKA_REST_URL: 'http://127.0.0.1:9' } });
    try {
      expect(createPasses(p.deps).consumers).toEqual([]);
    } finally {
      await p.close();
    }
  });
});
