import { describe, expect, test } from 'bun:test';
import type { Page } from '../../db/paging.ts';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { PlanResource } from '../../src/plans/contract.ts';
import type { SubscriptionResource } from '../../src/subscriptions/contract.ts';
import type { UsageBatchResource, UsagePeriodResource } from '../../src/usage/contract.ts';
import { customerBody, expectProblem, tag } from './client.ts';
import type { Session } from './session.ts';

/** A valid plan body; override any field. */
export const planBody = (overrides: Record<string, unknown> = {}) => ({
  code: `c-${tag()}`,
  name: 'Contract plan',
  price_amount: 2900,
  currency: 'EUR',
  interval: 'month',
  trial_days: 14,
  included_tokens: 10_000,
  overage_price_per_1k: 100,
  quota_policy: 'overage',
  ...overrides,
});

/** Plans and their versions, subscriptions and their lifecycle, usage recording and reading. */
export function subscriptionsContract(s: Session) {
  const create = async <T>(path: string, body: unknown) => {
    const res = await s.api.call<T>('POST', path, { body });
    expect({ path, status: res.status }).toEqual({ path, status: 201 });
    return res.body;
  };

  describe('plans', () => {
    test('a plan is created at version 1; a price change makes version 2 while version 1 stays readable; archived it refuses changes', async () => {
      const plan = await create<PlanResource>('/v1/plans', planBody());
      expect(plan).toMatchObject({ object: 'plan', version: 1, status: 'active', price: { amount: 2900, currency: 'EUR' } });
      const changed = await s.api.call<PlanResource>('PATCH', `/v1/plans/${plan.id}`, { body: { price_amount: 3900 } });
      expect(changed.body).toMatchObject({ version: 2, price: { amount: 3900, currency: 'EUR' } });
      expect((await s.api.call<PlanResource>('GET', `/v1/plans/${plan.id}?version=1`)).body).toMatchObject({ version: 1, price: { amount: 2900 } });
      const versions = await s.api.call<Page<PlanResource>>('GET', `/v1/plans/${plan.id}/versions`);
      expect(versions.body.data.map((v) => v.version)).toEqual([1, 2]);
      expect((await s.api.call<Page<PlanResource>>('GET', `/v1/plans?code=${plan.code}`)).body.data.map((p) => p.id)).toEqual([plan.id]);

      expect((await s.api.call<PlanResource>('POST', `/v1/plans/${plan.id}/archive`)).body).toMatchObject({ status: 'archived' });
      expectProblem(await s.api.call('PATCH', `/v1/plans/${plan.id}`, { body: { price_amount: 100 } }), 409, 'invalid_transition');
      expectProblem(await s.api.call('POST', '/v1/plans', { body: planBody({ code: plan.code }) }), 409, 'conflict');
    });
  });

  describe('subscriptions and usage', () => {
    test('a subscription starts in its trial, records usage once per client id, and cancels once', async () => {
      const plan = await create<PlanResource>('/v1/plans', planBody());
      const customer = await create<CustomerResource>('/v1/customers', customerBody());
      const sub = await create<SubscriptionResource>('/v1/subscriptions', { customer_id: customer.id, plan_id: plan.id });
      expect(sub).toMatchObject({ object: 'subscription', customer_id: customer.id, plan_id: plan.id, plan_version: 1, status: 'trialing' });
      expect((await s.api.call<Page<SubscriptionResource>>('GET', `/v1/customers/${customer.id}/subscriptions`)).body.data.map((x) => x.id)).toEqual([sub.id]);
      expect((await s.api.call<Page<SubscriptionResource>>('GET', `/v1/subscriptions?plan_id=${plan.id}`)).body.data.map((x) => x.id)).toEqual([sub.id]);

      const record = { id: `rec-${tag()}`, customer_id: customer.id, model: 'gpt-contract', tokens: 1234, occurred_at: sub.created_at };
      const first = await s.api.call<UsageBatchResource>('POST', '/v1/usage', { body: { records: [record] } });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ object: 'usage_batch', accepted: 1, duplicates: 0, refused: 0 });
      const again = await s.api.call<UsageBatchResource>('POST', '/v1/usage', { body: { records: [record] } });
      expect(again.body.results.map((r) => r.status)).toEqual(['duplicate']);
      const usage = await s.api.call<UsagePeriodResource>('GET', `/v1/subscriptions/${sub.id}/usage`);
      expect(usage.status).toBe(200);
      expect(usage.body).toMatchObject({ object: 'usage_period', subscription_id: sub.id, used_tokens: 1234, trial: true });

      const canceled = await s.api.call<SubscriptionResource>('POST', `/v1/subscriptions/${sub.id}/cancel`);
      expect(canceled.status).toBe(200);
      expect(canceled.body.status).toBe('canceled');
      expectProblem(await s.api.call('POST', `/v1/subscriptions/${sub.id}/cancel`), 409, 'invalid_transition');
      expectProblem(await s.api.call('GET', '/v1/subscriptions/sub_00000000000000000000000000'), 404, 'not_found');
    });
  });
}
