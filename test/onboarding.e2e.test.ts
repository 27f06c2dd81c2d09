import { afterAll, beforeAll, expect, test } from 'bun:test';
import { forEachBus } from './kafka-env.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';
import type { CustomerResource, NotificationEntry } from '../src/customers/contract.ts';
import type { EventResource, TypedEventResource } from '../src/events/contract.ts';
import type { Page } from '../db/paging.ts';
import type { ProfileResource } from '../src/profiling/contract.ts';

let p: TestPlatform;

forEachBus('onboarding end to end', (bus) => {
  beforeAll(async () => {
    p = await createTestPlatform({ env: bus.env() });
    p.startWorkers();
  });
  afterAll(() => p.close());

  test('one POST leads to a sent welcome, a profile and the three events, with no further call', async () => {
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ kind: 'institution', metadata: { annual_revenue: 2_000_000 } }) });
    expect(created.status).toBe(201);
    const id = created.body.id;

    const history = await eventually(async () => {
      const res = await p.call<Page<NotificationEntry>>('GET', `/v1/customers/${id}/notifications`);
      return res.body.data.length > 0 ? res.body.data : null;
    });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ channel: 'email', template: 'welcome', status: 'sent' });

    // Profiling is another consumer group: on Kafka it may finish after the notification.
    const profile = await eventually(async () => {
      const res = await p.call<ProfileResource>('GET', `/v1/customers/${id}/profile`);
      return res.status === 200 ? res : null;
    });
    // institution +40, revenue ≥ 1,000,000 +20 → 60 points: gold
    expect(profile.body.segment).toBe('gold');
    expect(profile.body.segment_reasons).toContain('+40 kind is institution');

    const types = await eventually(async () => {
      const res = await p.call<Page<EventResource>>('GET', `/v1/events?subject=${id}`);
      const t = res.body.data.map((e) => e.type);
      return t.includes('notification.sent') && t.includes('customer.profiled') ? t : null;
    });
    expect(types).toContain('customer.onboarded');
    expect(types.filter((t) => t === 'notification.sent')).toHaveLength(1);

    const events = (await p.call<Page<EventResource>>('GET', `/v1/events?subject=${id}`)).body.data;
    const sequences = events.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    const onboarded = events.find((e) => e.type === 'customer.onboarded')!;
    expect(onboarded.delivery.state).toBe('published');
    expect(onboarded.delivery.handled_by).toEqual(['notifications', 'profiling']);
  });

  test('activation promotes to the computed segment and notifies', async () => {
    const { body } = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ kind: 'institution', metadata: { annual_revenue: 2_000_000 } }) });
    await eventually(async () => (await p.call('GET', `/v1/customers/${body.id}/profile`)).status === 200);
    const activated = await p.call('POST', `/v1/customers/${body.id}/activate`);
    expect(activated.status).toBe(200);
    const customer = await eventually(async () => {
      const res = await p.call<CustomerResource>('GET', `/v1/customers/${body.id}`);
      return res.body.segment === 'gold' ? res.body : null;
    });
    expect(customer.status).toBe('active');
    const promotions = (await p.call<Page<TypedEventResource<'customer.promoted'>>>('GET', `/v1/events?subject=${body.id}&type=customer.promoted`)).body.data;
    expect(promotions.map((e) => e.data.to)).toEqual(['silver', 'gold']);
    const templates = await eventually(async () => {
      const res = await p.call<Page<NotificationEntry>>('GET', `/v1/customers/${body.id}/notifications`);
      const t = res.body.data.map((n) => n.template).sort();
      return t.length === 4 ? t : null;
    });
    expect(templates).toEqual(['activated', 'promoted', 'promoted', 'welcome']);
  });
});
