import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { deadLetters, inbox, outbox } from '../../db/schema/index.ts';
import { createTestPlatform, customerInput, type TestPlatform } from '../../test/harness.ts';
import { onboardCustomer } from '../customers/onboard.ts';
import { toEnvelope, type CloudEvent } from '../events/envelope.ts';
import { deliveryHandler, type EventHandler } from './consumer.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p.close());

/** A real `customer.onboarded` envelope, as the relay publishes it. */
async function onboarded(): Promise<CloudEvent> {
  const customer = await onboardCustomer(p.ctx(), customerInput() as never);
  const [row] = await p.deps.db.select().from(outbox).where(and(eq(outbox.subject, customer.id), eq(outbox.type, 'customer.onboarded')));
  return toEnvelope(row!);
}

describe('a consumer whose storage refuses the write', () => {
  test('never dead-letters nor passes over the event: it hands the failure back so the same event comes again', async () => {
    // As the storage reports it, sometimes by its message only, wrapped by the query builder.
    const failures = [
      new Error('Failed query: insert into "inbox" …', { cause: new Error('database or disk is full') }),
      new Error('Failed query: insert into "inbox" …', { cause: new Error('attempt to write a readonly database') }),
    ];
    let calls = 0;
    const handler: EventHandler = {
      group: 'storage-test',
      types: ['customer.onboarded'],
      async handle() {
        const failure = failures[calls++];
        if (failure) throw failure;
      },
    };
    const deliver = deliveryHandler(p.deps, handler, { attempts: 1, sleep: async () => undefined });
    const event = await onboarded();
    await expect(deliver(event)).rejects.toThrow('Failed query');
    await expect(deliver(event)).rejects.toThrow('Failed query');
    expect(await p.deps.db.select().from(deadLetters)).toEqual([]);
    expect(await p.deps.db.select().from(inbox)).toEqual([]);
    // The storage is back: the same event is handled, once.
    await deliver(event);
    expect((await p.deps.db.select().from(inbox)).map((row) => row.eventId)).toEqual([event.id]);
  });
});
