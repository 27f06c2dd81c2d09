import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import type { CreatedApiKeyResource } from '../src/api-keys/contract.ts';
import type { CustomerResource, NotificationEntry } from '../src/customers/contract.ts';
import type { Page } from '../db/paging.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';

const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);
/** `.ci/run` installs Debian's prometheus and fails on this marker. */
const SKIP_REASON = `skipped: no promtool at ${PROMTOOL} (apt-get install prometheus)`;
const METRICS_TOKEN = 'scraper-token-0123456789abcdef';

let p: TestPlatform;
let customerId: string;
beforeAll(async () => {
  p = await createTestPlatform({ env: { METRICS_TOKEN } });
  p.startWorkers();
  const plan = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: 'metrics-plan', name: 'Metered', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 1000, overage_price_per_1k: 100, quota_policy: 'overage' } });
  for (let i = 0; i < 2; i++) {
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    expect(created.status).toBe(201);
    customerId = created.body.id;
    await p.call('GET', `/v1/customers/${customerId}`);
  }
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customerId, plan_id: plan.body.id } });
  expect(sub.status).toBe(201);
  const usage = await p.call('POST', '/v1/usage', { body: { records: [{ id: 'rec-1', customer_id: customerId, model: 'gpt-test', tokens: 300, occurred_at: new Date().toISOString() }] } });
  expect(usage.status).toBe(200);
  await p.call('GET', '/v1/customers/cus_00000000000000000000000000');
  // The workers have handled the onboarding: the welcome is sent.
  await eventually(async () => {
    const res = await p.call<Page<NotificationEntry>>('GET', `/v1/customers/${customerId}/notifications`);
    return res.body.data.some((n) => n.status === 'sent');
  });
});
afterAll(() => p.close());

/** The value of the first sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function scrape(token: string | null = METRICS_TOKEN) {
  return p.call<string>('GET', '/metrics', { token });
}

describe('Prometheus /metrics', () => {
  test('401 without a token, 200 with an operator token of any role or METRICS_TOKEN', async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('not-the-metrics-token-at-all')).status).toBe(401);
    const viewer = await scrape(await p.tokenFor('viewer'));
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('content-type')).toContain('text/plain');
    expect((await scrape()).status).toBe(200);
  });

  test('a customer-scoped API key gets 404, as for a route that does not exist', async () => {
    const key = await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { body: { name: 'reader', scopes: ['customers:read'], customer_id: customerId } });
    expect(key.status).toBe(201);
    expect((await scrape(key.body.key)).status).toBe(404);
  });

  test('requests by route template and status, never a raw path with an id', async () => {
    const { body } = await scrape();
    expect(sample(body, 'http_requests_total', { route: '/v1/customers', method: 'POST', status: '201' })).toBe(2);
    expect(sample(body, 'http_requests_total', { route: '/v1/customers/:id', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(sample(body, 'http_requests_total', { route: '/v1/customers/:id', method: 'GET', status: '404' })).toBe(1);
    expect(sample(body, 'http_request_duration_seconds_count', { route: '/v1/customers', method: 'POST' })).toBe(2);
    expect(sample(body, 'http_request_duration_seconds_sum', { route: '/v1/customers', method: 'POST' })).toBeGreaterThan(0);
    expect(body).not.toContain(customerId);
    expect(body).not.toContain('cus_0000');
  });

  test('events published, consumed per group, notifications, usage tokens, queue gauges and process metrics', async () => {
    const body = await eventually(async () => {
      const text = (await scrape()).body;
      return (sample(text, 'events_consumed_total', { group: 'profiling', type: 'customer.onboarded' }) ?? 0) >= 2 ? text : null;
    });
    expect(sample(body, 'events_published_total', { type: 'customer.onboarded' })).toBe(2);
    expect(sample(body, 'events_consumed_total', { group: 'notifications', type: 'customer.onboarded' })).toBe(2);
    expect(sample(body, 'notifications_total', { channel: 'email', status: 'sent' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'usage_tokens_total')).toBe(300);
    expect(sample(body, 'consumer_lag_events', { group: 'notifications' })).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'consumer_dead_letters', { group: 'notifications' })).toBe(0);
    expect(sample(body, 'outbox_unpublished_events')).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'outbox_oldest_unpublished_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  test('/metrics is not in the OpenAPI document', async () => {
    const doc = await p.call<{ paths: Record<string, unknown> }>('GET', '/openapi.json', { token: null });
    expect(Object.keys(doc.body.paths)).not.toContain('/metrics');
  });

  test.skipIf(!hasPromtool)(hasPromtool ? 'promtool check metrics passes on the output' : `promtool check metrics [${SKIP_REASON}]`, async () => {
    const { body } = await scrape();
    const checked = Bun.spawnSync([PROMTOOL, 'check', 'metrics'], { stdin: new TextEncoder().encode(body) });
    const report = `${checked.stdout.toString()}${checked.stderr.toString()}`;
    expect(report).toBe('');
    expect(checked.exitCode).toBe(0);
  });
});

if (!hasPromtool) console.warn(SKIP_REASON);
