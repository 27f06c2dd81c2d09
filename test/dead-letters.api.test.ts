import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Page } from '../db/paging.ts';
import { busLog, inbox, notifications } from '../db/schema/index.ts';
import type { AuditEntryResource } from '../src/audit/contract.ts';
import { startConsumer, type EventHandler } from '../src/bus/consumer.ts';
import type { Subscription } from '../src/bus/bus.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { DeadLetterResource } from '../src/dead-letters/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { notificationsHandler } from '../src/notifications/consumer.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';

/**
 * Replaying a dead letter (POST /v1/dead-letters/:id/replay): a consumer group that
 * failed on an event gets it again, alone, once; the replay is audited and idempotent.
 */
let p: TestPlatform;
let sub: Subscription;
/** While set, the flaky group fails on every event with this message. */
let failWith: string | null = null;
const GROUP = 'flaky-notifications';

const flaky: EventHandler = {
  group: GROUP,
  types: ['customer.onboarded'],
  async handle(ctx, event) {
    // Writes its effect first: a failure must roll it back with the attempt.
    await notificationsHandler.handle(ctx, event);
    if (failWith) throw new Error(failWith);
  },
};

beforeAll(async () => {
  p = await createTestPlatform();
  p.startWorkers(['relay']);
  sub = startConsumer(p.deps, flaky, { attempts: 2, backoffMs: 1, sleep: async () => undefined });
});
afterAll(async () => {
  await sub.stop();
  await p.close();
});

const sentTo = async (customerId: string) => (await p.deps.db.select().from(notifications).where(eq(notifications.customerId, customerId))).length;

/** Onboards a customer while the flaky group fails, and waits for its dead letter. */
async function parkedCustomer(): Promise<{ customer: CustomerResource; dead: DeadLetterResource }> {
  const customer = (await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() })).body;
  const dead = await eventually(async () => {
    const list = await p.call<Page<DeadLetterResource>>('GET', `/v1/dead-letters?group=${GROUP}&state=waiting`);
    return list.body.data.find((d) => (d.event as { subject?: string }).subject === customer.id);
  });
  return { customer, dead };
}

describe('POST /v1/dead-letters/:id/replay', () => {
  test('after the handler is fixed, a replay applies the effect once; a second replay changes nothing; viewers get 403; the audit log shows it', async () => {
    failWith = 'template exploded';
    const { customer, dead } = await parkedCustomer();
    expect(dead).toMatchObject({ object: 'dead_letter', group: GROUP, type: 'customer.onboarded', reason: 'failed 2 times: template exploded', replayed_at: null, replays: 0 });
    expect((dead.event as { id: string }).id).toBe(dead.event_id);
    expect(await sentTo(customer.id)).toBe(0);

    const viewer = await p.tokenFor('viewer');
    const refused = await p.call<Problem>('POST', `/v1/dead-letters/${dead.id}/replay`, { token: viewer });
    expect(refused.status).toBe(403);

    failWith = null;
    const operator = await p.tokenFor('operator');
    const replayed = await p.call<DeadLetterResource>('POST', `/v1/dead-letters/${dead.id}/replay`, { token: operator });
    expect(replayed.status).toBe(200);
    expect(replayed.body.replays).toBe(1);
    expect(replayed.body.replayed_at).not.toBeNull();

    await eventually(async () => (await p.deps.db.select().from(inbox).where(and(eq(inbox.consumer, GROUP), eq(inbox.eventId, dead.event_id)))).length === 1);
    expect(await sentTo(customer.id)).toBe(1);

    const again = await p.call<DeadLetterResource>('POST', `/v1/dead-letters/${dead.id}/replay`, { token: operator });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(replayed.body);
    const queued = await p.deps.db.select().from(busLog).where(isNotNull(busLog.targetGroup));
    expect(queued.map((q) => q.eventId)).toEqual([`replay:${dead.id}:1`]);
    expect(queued[0]!.targetGroup).toBe(GROUP);
    expect(await sentTo(customer.id)).toBe(1);

    const listed = await p.call<Page<DeadLetterResource>>('GET', `/v1/dead-letters?group=${GROUP}&state=replayed`);
    expect(listed.body.data.map((d) => d.id)).toContain(dead.id);
    expect((await p.call<Page<DeadLetterResource>>('GET', `/v1/dead-letters?group=${GROUP}&state=waiting`)).body.data.map((d) => d.id)).not.toContain(dead.id);

    const audit = await p.call<Page<AuditEntryResource>>('GET', `/v1/audit?action=dead_letter.replay&target_id=${dead.id}`);
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0]).toMatchObject({ action: 'dead_letter.replay', target_type: 'dead_letter', data: { group: GROUP, event_id: dead.event_id, replay: 1 } });
    expect(audit.body.data[0]!.actor).toStartWith('op_');
  });

  test('a replay that fails again is parked again with its reason, waiting for another replay', async () => {
    failWith = 'still broken';
    try {
      const { customer, dead } = await parkedCustomer();
      const first = await p.call<DeadLetterResource>('POST', `/v1/dead-letters/${dead.id}/replay`);
      expect(first.body.replays).toBe(1);
      const parkedAgain = await eventually(async () => {
        const res = await p.call<DeadLetterResource>('GET', `/v1/dead-letters/${dead.id}`);
        return res.body.replayed_at === null ? res.body : null;
      });
      expect(parkedAgain).toMatchObject({ id: dead.id, replays: 1, reason: 'failed 2 times: still broken' });

      failWith = null;
      expect((await p.call<DeadLetterResource>('POST', `/v1/dead-letters/${dead.id}/replay`)).body.replays).toBe(2);
      await eventually(async () => (await sentTo(customer.id)) === 1);
    } finally {
      failWith = null;
    }
  });

  test('an unknown dead letter is a 404, a malformed id a 400', async () => {
    expect((await p.call('POST', `/v1/dead-letters/dlq_${'0'.repeat(26)}/replay`)).status).toBe(404);
    expect((await p.call('POST', '/v1/dead-letters/nope/replay')).status).toBe(400);
  });
});
