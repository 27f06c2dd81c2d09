import { describe, expect, test } from 'bun:test';
import type { Page } from '../../db/paging.ts';
import type { CustomerResource, NotificationEntry } from '../../src/customers/contract.ts';
import type { EventResource } from '../../src/events/contract.ts';
import { pollUntil } from '../processes.ts';
import { customerBody } from './client.ts';
import type { Session } from './session.ts';

/** One POST, then nothing but reads: the relay publishes, the notifications worker sends the welcome. */
export function onboardingContract(s: Session) {
  describe('onboarding through the relay to an effect', () => {
    test('a new customer gets its welcome sent (notification.sent) with no further call', async () => {
      const created = await s.api.call<CustomerResource>('POST', '/v1/customers', { body: customerBody() });
      expect(created.status).toBe(201);
      const id = created.body.id;

      const events = await pollUntil(
        'notification.sent for the new customer',
        async () => {
          const res = await s.api.call<Page<EventResource>>('GET', `/v1/events?subject=${id}&limit=100`);
          return res.body.data.some((e) => e.type === 'notification.sent') ? res.body.data : null;
        },
        { timeoutMs: 20_000, intervalMs: 25 },
      );
      expect(events.filter((e) => e.type === 'notification.sent')).toHaveLength(1);
      const onboarded = events.find((e) => e.type === 'customer.onboarded')!;
      expect(onboarded.delivery.state).toBe('published');
      expect(onboarded.delivery.handled_by).toContain('notifications');

      // The customer's history folds notification.sent in another consumer group: it follows.
      const history = await pollUntil('the welcome in the customer history', async () => {
        const res = await s.api.call<Page<NotificationEntry>>('GET', `/v1/customers/${id}/notifications`);
        return res.body.data.length > 0 ? res.body.data : null;
      });
      expect(history).toEqual([expect.objectContaining({ channel: 'email', template: 'welcome', status: 'sent' })]);
    });
  });
}
