import { afterEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { notifications, outbox } from '../../db/schema/index.ts';
import { createTestPlatform, customerInput, type TestPlatform } from '../../test/harness.ts';
import { onboardCustomer } from '../customers/onboard.ts';
import { eraseCustomer } from '../erasure/erase-customer.ts';
import { manualClock } from '../kernel/clock.ts';
import { createContext, systemActor } from '../kernel/context.ts';
import { consumeOnce } from '../bus/consumer.ts';
import { toEnvelope } from '../events/envelope.ts';
import type { Channel, Channels, Message } from './channels/channel.ts';
import { dispatchDue } from './dispatch.ts';
import { notificationsHandler } from './consumer.ts';

/** An email channel that fails for chosen recipients a given number of times. */
function flakyChannel(failuresFor: Record<string, number>): Channel & { sent: Message[] } {
  const sent: Message[] = [];
  return {
    name: 'flaky',
    sent,
    async send(message) {
      const left = failuresFor[message.to] ?? 0;
      if (left > 0) {
        failuresFor[message.to] = left - 1;
        throw new Error(`mailbox unavailable for ${message.to}`);
      }
      sent.push(message);
    },
  };
}

let p: TestPlatform;
afterEach(() => p.close());

async function setup(failuresFor: Record<string, number>) {
  const clock = manualClock(Date.UTC(2026, 5, 1));
  const email = flakyChannel(failuresFor);
  const channels: Channels = { email, sms: flakyChannel({}) };
  p = await createTestPlatform({ build: { clock, channels } });
  const options = { channels, maxAttempts: 3, backoffMs: 60_000 };
  const base = createContext(p.deps, systemActor('notifications'));
  // Onboard and hand the onboarding event to the notifications consumer directly.
  const onboard = async (address: string) => {
    const c = await onboardCustomer(p.ctx(), customerInput({ email: address }) as never);
    const [event] = await p.deps.db.select().from(outbox).where(eq(outbox.subject, c.id));
    await consumeOnce(p.deps, notificationsHandler, toEnvelope(event!));
    return c.id;
  };
  const status = async (customerId: string) =>
    (await p.deps.db.select().from(notifications).where(eq(notifications.customerId, customerId)))[0]!;
  const eventsOf = async (customerId: string, type: string) =>
    (await p.deps.db.select().from(outbox).where(eq(outbox.subject, customerId))).filter((e) => e.type === type);
  return { clock, email, options, base, onboard, status, eventsOf };
}

describe('notification dispatch', () => {
  test('a failing channel is retried with exponential backoff and then succeeds', async () => {
    const t = await setup({ 'flaky@x.example': 2 });
    const id = await t.onboard('flaky@x.example');

    expect(await dispatchDue(t.base, t.options)).toBe(1);
    expect((await t.status(id)).status).toBe('pending');
    expect((await t.status(id)).attempts).toBe(1);

    // Not due again before the first backoff (60 s) has passed.
    t.clock.advance(59_000);
    expect(await dispatchDue(t.base, t.options)).toBe(0);
    t.clock.advance(1_000);
    expect(await dispatchDue(t.base, t.options)).toBe(1);
    expect((await t.status(id)).attempts).toBe(2);

    // The second backoff is twice as long.
    t.clock.advance(60_000);
    expect(await dispatchDue(t.base, t.options)).toBe(0);
    t.clock.advance(60_000);
    expect(await dispatchDue(t.base, t.options)).toBe(1);

    const row = await t.status(id);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(3);
    expect(t.email.sent.map((m) => m.to)).toEqual(['flaky@x.example']);
    expect(await t.eventsOf(id, 'notification.sent')).toHaveLength(1);
  });

  test('after the last attempt it is recorded as failed, and other notifications are not held up', async () => {
    const t = await setup({ 'dead@x.example': 99 });
    const dead = await t.onboard('dead@x.example');
    const fine = await t.onboard('fine@x.example');

    await dispatchDue(t.base, t.options);
    expect((await t.status(fine)).status).toBe('sent');

    t.clock.advance(60_000);
    await dispatchDue(t.base, t.options);
    t.clock.advance(120_000);
    await dispatchDue(t.base, t.options);

    const row = await t.status(dead);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(3);
    expect(row.lastError).toContain('mailbox unavailable');
    const failed = await t.eventsOf(dead, 'notification.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ reason: 'mailbox unavailable for dead@x.example', attempts: 3 });
    // Nothing more to do: failed is final.
    t.clock.advance(10 * 60_000);
    expect(await dispatchDue(t.base, t.options)).toBe(0);
  });

  test('erasing a customer cancels its pending notifications and scrubs their content', async () => {
    const t = await setup({ 'gone@x.example': 1 });
    const id = await t.onboard('gone@x.example');
    await dispatchDue(t.base, t.options);
    expect((await t.status(id)).status).toBe('pending');

    await eraseCustomer(p.ctx(), id);
    const row = await t.status(id);
    expect(row).toMatchObject({ status: 'failed', lastError: 'customer erased before delivery', recipient: '[erased]', body: '[erased]' });
    expect(await t.eventsOf(id, 'notification.failed')).toHaveLength(1);

    t.clock.advance(10 * 60_000);
    expect(await dispatchDue(t.base, t.options)).toBe(0);
    expect(t.email.sent).toHaveLength(0);
  });

  test('erasure also masks the address inside stored error texts and failure events', async () => {
    const t = await setup({ 'leaky@x.example': 99 });
    const id = await t.onboard('leaky@x.example');
    await dispatchDue(t.base, t.options);
    t.clock.advance(60_000);
    await dispatchDue(t.base, t.options);
    t.clock.advance(120_000);
    await dispatchDue(t.base, t.options);
    expect((await t.status(id)).lastError).toContain('leaky@x.example');

    await eraseCustomer(p.ctx(), id);
    expect((await t.status(id)).lastError).toBe('mailbox unavailable for [erased]');
    const stored = JSON.stringify(await p.deps.db.select().from(outbox).where(eq(outbox.subject, id)));
    expect(stored).not.toContain('leaky@x.example');
    expect(stored).toContain('mailbox unavailable for [erased]');
  });
});
