import { describe, expect, test } from 'bun:test';
import type { Page } from '../../db/paging.ts';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { EventResource } from '../../src/events/contract.ts';
import type { Problem } from '../../src/http/problem.ts';
import { pollUntil } from '../processes.ts';
import { customerBody, expectProblem } from './client.ts';
import type { Session } from './session.ts';

type Transition = 'activate' | 'deactivate';
const statusAfter: Record<Transition, CustomerResource['status']> = { activate: 'active', deactivate: 'deactivated' };
const eventOf: Record<Transition, string> = { activate: 'customer.activated', deactivate: 'customer.deactivated' };
/** The events that record a change of the customer row, one per version. */
const changeTypes = new Set(['customer.activated', 'customer.deactivated', 'customer.promoted', 'customer.updated']);

/**
 * Many conflicting transitions on one customer at once: each state change has exactly one
 * winner, every loser is a 409 problem, and the customer's events are exactly the winners'
 * events, in a contiguous per-subject sequence, each published by the relay. The profiling
 * worker may promote the customer meanwhile (it reacts to activations): its change is a
 * version with its own event too, so it is counted, never confused with a winner.
 */
export function concurrencyContract(s: Session) {
  /** Every event of a subject, through the API's cursor. */
  async function eventsOf(subject: string) {
    const all: EventResource[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `subject=${subject}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await s.api.call<Page<EventResource>>('GET', `/v1/events?${query}`);
      expect(page.status).toBe(200);
      all.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
    return all;
  }

  async function burst(transitions: Transition[]) {
    const c = (await s.api.call<CustomerResource>('POST', '/v1/customers', { body: customerBody() })).body;
    const before = (await s.api.call<CustomerResource>('POST', `/v1/customers/${c.id}/activate`)).body;
    expect(before).toMatchObject({ status: 'active', version: 2 });

    const answers = await Promise.all(
      transitions.map(async (t) => ({ transition: t, res: await s.api.call<CustomerResource | Problem>('POST', `/v1/customers/${c.id}/${t}`) })),
    );
    for (const { res } of answers) if (res.status !== 200) expectProblem(res, 409, 'invalid_transition');
    const winners = answers
      .filter((a) => a.res.status === 200)
      .map((a) => ({ transition: a.transition, customer: a.res.body as CustomerResource }))
      .sort((a, b) => a.customer.version - b.customer.version);

    // One winner per state change: each winner moved the customer out of the state the previous one left it in.
    expect(new Set(winners.map((w) => w.customer.version)).size).toBe(winners.length);
    let state = before.status;
    for (const w of winners) {
      expect({ version: w.customer.version, transition: w.transition }).toEqual({ version: w.customer.version, transition: state === 'active' ? 'deactivate' : 'activate' });
      expect(w.customer.status).toBe(statusAfter[w.transition]);
      state = w.customer.status;
    }

    // Once the relay has published everything: one event per version since `before`, none missing,
    // none extra, and the transitions among them are exactly the winners, in order.
    const settled = await pollUntil(
      'every change of the customer published, one event per version',
      async () => {
        const after = (await s.api.call<CustomerResource>('GET', `/v1/customers/${c.id}`)).body;
        const events = await eventsOf(c.id);
        const activation = events.findIndex((e) => e.type === 'customer.activated');
        const changes = events.slice(activation + 1).filter((e) => changeTypes.has(e.type));
        const published = events.every((e) => e.delivery.state === 'published');
        return published && changes.length === after.version - before.version ? { after, events, changes } : null;
      },
      { timeoutMs: 20_000 },
    );
    expect(settled.after.status).toBe(state);
    expect(settled.events.map((e) => e.sequence)).toEqual(settled.events.map((_, i) => i + 1));
    const moves = settled.changes.filter((e) => e.type !== 'customer.promoted' && e.type !== 'customer.updated').map((e) => e.type);
    expect(moves).toEqual(winners.map((w) => eventOf[w.transition]));
    return { winners, losers: answers.length - winners.length };
  }

  describe('concurrency on one customer', () => {
    test('50 parallel deactivations: exactly one wins, 49 are 409 invalid_transition, one event', async () => {
      const { winners, losers } = await burst(Array.from({ length: 50 }, (): Transition => 'deactivate'));
      expect(winners).toHaveLength(1);
      expect(losers).toBe(49);
    });

    test('50 deactivations and activations in conflicting pairs: the winners alternate, the others are 409s, and the events are exactly the winners\'', async () => {
      // deactivate, deactivate, activate, activate, …: each pair has one move the other makes impossible.
      const pairs = Array.from({ length: 50 }, (_, i): Transition => (Math.floor(i / 2) % 2 === 0 ? 'deactivate' : 'activate'));
      const { winners, losers } = await burst(pairs);
      expect(winners.length).toBeGreaterThan(1);
      expect(losers).toBeGreaterThan(0);
      expect(winners.length + losers).toBe(50);
    });
  });
}
