import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Bus } from '../../src/bus/bus.ts';
import type { CloudEvent } from '../../src/events/envelope.ts';
import { newId } from '../../src/kernel/ids.ts';
import { eventually } from '../harness.ts';

/** A bus under test and how to open a second handle on the same transport (a restarted process). */
export interface BusFixture {
  bus: Bus;
  reopen(): Promise<Bus>;
  close(): Promise<void>;
}

const event = (type: string, subject: string, n: number): CloudEvent => ({
  specversion: '1.0',
  id: newId('evt'),
  source: 'urn:test',
  type,
  subject,
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  sequence: n,
  data: { n },
});

/**
 * The contract every bus adapter passes (embedded, Kafka, Kafka REST):
 * ordered delivery per subject, independent consumer groups, positions that
 * survive a restart, dead letters, and lag.
 */
export function busContract(name: string, open: () => Promise<BusFixture>, options: { skip?: string | false } = {}) {
  (options.skip ? describe.skip : describe)(`bus contract: ${name}${options.skip ? ` [skipped: ${options.skip}]` : ''}`, () => {
    let fx: BusFixture;
    beforeAll(async () => {
      fx = await open();
    });
    afterAll(() => fx.close());

    test('delivers published events of the subscribed types, in order', async () => {
      const subject = newId('cus');
      const events = [1, 2, 3, 4, 5].map((n) => event(n % 2 ? 'test.odd' : 'test.even', subject, n));
      await fx.bus.publish(events);
      const seen: number[] = [];
      const sub = fx.bus.subscribe({
        group: `odd-${subject}`,
        types: ['test.odd'],
        handle: async (raw) => {
          const e = raw as CloudEvent;
          if (e.subject === subject) seen.push(e.sequence);
        },
      });
      await eventually(async () => seen.length === 3);
      await sub.stop();
      expect(seen).toEqual([1, 3, 5]);
    });

    test('each group sees every event; a restarted group resumes after its last handled event', async () => {
      const subject = newId('cus');
      await fx.bus.publish([1, 2, 3].map((n) => event('test.resume', subject, n)));
      const a: number[] = [];
      const b: number[] = [];
      const subA = fx.bus.subscribe({ group: `a-${subject}`, types: ['test.resume'], handle: async (raw) => void a.push((raw as CloudEvent).sequence) });
      const subB = fx.bus.subscribe({ group: `b-${subject}`, types: ['test.resume'], handle: async (raw) => void b.push((raw as CloudEvent).sequence) });
      await eventually(async () => a.length === 3 && b.length === 3);
      await subA.stop();

      await fx.bus.publish([4, 5].map((n) => event('test.resume', subject, n)));
      const again = await fx.reopen();
      const resumed: number[] = [];
      const subA2 = again.subscribe({ group: `a-${subject}`, types: ['test.resume'], handle: async (raw) => void resumed.push((raw as CloudEvent).sequence) });
      await eventually(async () => resumed.length >= 2 && b.length === 5);
      await subA2.stop();
      await subB.stop();
      expect(resumed).toEqual([4, 5]);
      expect(b).toEqual([1, 2, 3, 4, 5]);
    });

    test('reports lag per group and keeps dead letters', async () => {
      const subject = newId('cus');
      const group = `lag-${subject}`;
      const sub = fx.bus.subscribe({ group, types: ['test.lag'], handle: async () => {} });
      await sub.stop();
      await fx.bus.publish([1, 2].map((n) => event('test.lag', subject, n)));
      const state = await eventually(async () => (await fx.bus.groups()).find((g) => g.group === group && g.lag === 2));
      expect(state.types).toEqual(['test.lag']);
      await fx.bus.deadLetter(group, event('test.lag', subject, 3), 'could not handle');
      expect((await fx.bus.groups()).find((g) => g.group === group)?.deadLetters).toBe(1);
      expect(await fx.bus.ping()).toBe(true);
    });
  });
}
