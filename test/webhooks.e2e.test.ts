import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { Channels, Message } from '../src/notifications/channels/channel.ts';
import type { WebhookDeliveryResource, WebhookResource, WebhookWithSecret } from '../src/webhooks/contract.ts';
import { deliverDue } from '../src/webhooks/deliver.ts';
import { verifyWebhook } from '../src/webhooks/verify.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';

/** What the receiver saw of one request. */
interface Received {
  path: string;
  signature: string;
  body: string;
  /** The verify helper's verdict with the secrets the receiver held then. */
  valid: boolean;
}

/**
 * A real HTTP receiver on loopback: `/ok` answers 200, `/down` 500, `/flaky` 500 while
 * `flaky` is set; each answers 400 when the signature does not check out with `secrets`
 * (verified by `verifyWebhook`, at the platform's clock).
 */
function startReceiver(now: () => number) {
  const received: Received[] = [];
  const state = { flaky: true, secrets: new Map<string, string[]>() };
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = await req.text();
      const signature = req.headers.get('webhook-signature') ?? '';
      const check = await verifyWebhook(state.secrets.get(path) ?? [], signature, body, { now: now() });
      received.push({ path, signature, body, valid: check.valid });
      if (!check.valid) return new Response(check.reason, { status: 400 });
      if (path === '/down' || (path === '/flaky' && state.flaky)) return new Response('down on purpose', { status: 500 });
      return new Response('ok');
    },
  });
  return { url: (path: string) => `http://127.0.0.1:${server.port}${path}`, received, state, stop: () => server.stop(true) };
}

const clock = manualClock(Date.UTC(2026, 4, 1, 9));
const emails: Message[] = [];
const channels: Channels = {
  email: { name: 'email', send: async (m) => void emails.push(m) },
  sms: { name: 'sms', send: async () => {} },
};
const SETTINGS = {
  WEBHOOKS_ALLOW_HTTP: '1',
  WEBHOOKS_ALLOW_PRIVATE: '1',
  WEBHOOKS_MAX_ATTEMPTS: '4',
  WEBHOOKS_BACKOFF_SECONDS: '60',
  WEBHOOKS_DISABLE_AFTER_FAILURES: '3',
  WEBHOOKS_SECRET_OVERLAP_SECONDS: '3600',
  WEBHOOKS_TIMEOUT_MS: '5000',
};
const MINUTE = 60_000;

let p: TestPlatform;
let receiver: ReturnType<typeof startReceiver>;
beforeAll(async () => {
  p = await createTestPlatform({ env: SETTINGS, build: { clock, channels } });
  receiver = startReceiver(() => clock.now());
  p.startWorkers(['relay', 'webhooks', 'notifications']);
});
afterAll(async () => {
  await p.close();
  receiver.stop();
});

async function newCustomer() {
  const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  expect(res.status).toBe(201);
  return res.body;
}

async function addEndpoint(customerId: string, path: string, eventTypes: string[] = ['customer.updated']) {
  const res = await p.call<WebhookWithSecret>('POST', `/v1/customers/${customerId}/webhooks`, { body: { url: receiver.url(path), event_types: eventTypes } });
  expect(res.status).toBe(201);
  return res.body;
}

/** Changes the customer's name: one `customer.updated` event. */
const touch = async (customerId: string, name: string) => expect((await p.call('PATCH', `/v1/customers/${customerId}`, { body: { name } })).status).toBe(200);

const deliveries = async (customerId: string, endpointId: string) =>
  (await p.call<Page<WebhookDeliveryResource>>('GET', `/v1/customers/${customerId}/webhooks/${endpointId}/deliveries`)).body.data;

/** Waits until the endpoint's only delivery has made `attempts` attempts. */
const afterAttempts = (customerId: string, endpointId: string, attempts: number) =>
  eventually(async () => {
    const [d] = await deliveries(customerId, endpointId);
    return d?.attempts === attempts ? d : null;
  });

describe('outgoing webhooks, against a real receiver on loopback', () => {
  test('a failing receiver gets the delivery retried with exponential backoff, and it succeeds once the receiver is back', async () => {
    const customer = await newCustomer();
    const endpoint = await addEndpoint(customer.id, '/flaky');
    expect(endpoint.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    receiver.state.secrets.set('/flaky', [endpoint.secret]);
    receiver.state.flaky = true;
    const start = clock.now();

    await touch(customer.id, 'Flaky Ltd');
    let d = await afterAttempts(customer.id, endpoint.id, 1);
    expect(d).toMatchObject({ status: 'pending', last_status_code: 500, next_attempt_at: new Date(start + MINUTE).toISOString() });

    clock.advance(MINUTE - 1000);
    expect(await deliverDue(p.ctx(), p.deps.webhookTransport)).toBe(0); // not due yet
    clock.advance(1000);
    d = await afterAttempts(customer.id, endpoint.id, 2);
    expect(d).toMatchObject({ status: 'pending', last_status_code: 500, next_attempt_at: new Date(start + 3 * MINUTE).toISOString() }); // 1, then 2 minutes

    receiver.state.flaky = false;
    clock.advance(2 * MINUTE);
    d = await eventually(async () => (await deliveries(customer.id, endpoint.id)).find((x) => x.status === 'succeeded'));
    expect(d.attempts).toBe(3);
    expect(d.attempt_log.map((a) => [a.number, a.trigger, a.status_code, a.succeeded])).toEqual([
      [1, 'automatic', 500, false],
      [2, 'automatic', 500, false],
      [3, 'automatic', 200, true],
    ]);

    // Every request was signed with the endpoint's secret; the body is the event's CloudEvents envelope.
    const got = receiver.received.filter((r) => r.path === '/flaky');
    expect(got.map((r) => r.valid)).toEqual([true, true, true]);
    const envelope = JSON.parse(got[2]!.body) as EventResource & { specversion: string };
    expect(envelope).toMatchObject({ specversion: '1.0', type: 'customer.updated', subject: customer.id, id: d.event_id });
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    const endpointNow = (await p.call<WebhookResource>('GET', `/v1/customers/${customer.id}/webhooks/${endpoint.id}`)).body;
    expect(endpointNow).toMatchObject({ enabled: true, consecutive_failures: 0 });
    expect(endpointNow).not.toHaveProperty('secret');

    // Resend, also of a delivery that succeeded: one more (manual) attempt with the same body, freshly signed.
    clock.advance(10 * MINUTE);
    const resent = await p.call<WebhookDeliveryResource>('POST', `/v1/customers/${customer.id}/webhooks/${endpoint.id}/deliveries/${d.id}/resend`);
    expect(resent.status).toBe(202);
    expect(resent.body.status).toBe('pending');
    const again = await eventually(async () => (await deliveries(customer.id, endpoint.id)).find((x) => x.status === 'succeeded' && x.attempts === 4));
    expect(again.attempt_log.at(-1)).toMatchObject({ number: 4, trigger: 'manual', status_code: 200, succeeded: true });
    const last = receiver.received.filter((r) => r.path === '/flaky').at(-1)!;
    expect(last.valid).toBe(true);
    expect(last.body).toBe(got[0]!.body);
    expect(last.signature).not.toBe(got[2]!.signature);
  });

  test('an endpoint that keeps failing is disabled and its owner told by email; re-enabled, its pending delivery goes out', async () => {
    const customer = await newCustomer();
    const endpoint = await addEndpoint(customer.id, '/down');
    receiver.state.secrets.set('/down', [endpoint.secret]);

    await touch(customer.id, 'Down Ltd');
    await afterAttempts(customer.id, endpoint.id, 1);
    clock.advance(MINUTE);
    await afterAttempts(customer.id, endpoint.id, 2);
    clock.advance(2 * MINUTE);
    const disabled = await eventually(async () => {
      const e = (await p.call<WebhookResource>('GET', `/v1/customers/${customer.id}/webhooks/${endpoint.id}`)).body;
      return e.enabled ? null : e;
    });
    expect(disabled).toMatchObject({ enabled: false, disabled_reason: 'failing', consecutive_failures: 3 });
    const events = (await p.call<Page<EventResource>>('GET', `/v1/events?type=webhook_endpoint.disabled&subject=${customer.id}`)).body.data;
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ reason: 'failing', consecutive_failures: 3 })]);

    // The owner (onboarding's contact) gets an email naming the endpoint.
    const email = await eventually(async () => emails.find((m) => m.body.includes(endpoint.id)));
    expect(email.to).toBe(customer.email!);
    expect(email.subject).toBe('A webhook endpoint was disabled');

    // Disabled: nothing more is sent, and a resend is refused until it is enabled again.
    const [pending] = await deliveries(customer.id, endpoint.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 3 });
    clock.advance(60 * MINUTE);
    expect(await deliverDue(p.ctx(), p.deps.webhookTransport)).toBe(0);
    const refused = await p.call<Problem>('POST', `/v1/customers/${customer.id}/webhooks/${endpoint.id}/deliveries/${pending!.id}/resend`);
    expect(refused.status).toBe(409);

    receiver.state.secrets.set('/flaky', [endpoint.secret]);
    receiver.state.flaky = false;
    const enabled = await p.call<WebhookResource>('PATCH', `/v1/customers/${customer.id}/webhooks/${endpoint.id}`, { body: { enabled: true, url: receiver.url('/flaky') } });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null, consecutive_failures: 0 });
    const done = await eventually(async () => (await deliveries(customer.id, endpoint.id)).find((x) => x.status === 'succeeded'));
    expect(done.attempt_log.map((a) => a.status_code)).toEqual([500, 500, 500, 200]);
  });

  test('after a rotation both secrets sign during the overlap, only the new one after it', async () => {
    const customer = await newCustomer();
    const endpoint = await addEndpoint(customer.id, '/ok');
    const oldSecret = endpoint.secret;
    const rotated = await p.call<WebhookWithSecret>('POST', `/v1/customers/${customer.id}/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret;
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.body.previous_secret_expires_at).toBe(new Date(clock.now() + 3600_000).toISOString());
    receiver.state.secrets.set('/ok', [newSecret]);

    await touch(customer.id, 'Rotating Ltd');
    const during = await eventually(async () => receiver.received.find((r) => r.path === '/ok'));
    expect(during.signature.match(/v1=/g)).toHaveLength(2);
    const at = { now: clock.now() };
    expect((await verifyWebhook(oldSecret, during.signature, during.body, at)).valid).toBe(true);
    expect((await verifyWebhook(newSecret, during.signature, during.body, at)).valid).toBe(true);

    clock.advance(3600_000 + 1000);
    await touch(customer.id, 'Rotated Ltd');
    const after = await eventually(async () => receiver.received.filter((r) => r.path === '/ok')[1]);
    expect(after.signature.match(/v1=/g)).toHaveLength(1);
    const later = { now: clock.now() };
    expect(await verifyWebhook(oldSecret, after.signature, after.body, later)).toEqual({ valid: false, reason: 'no_matching_signature' });
    expect((await verifyWebhook(newSecret, after.signature, after.body, later)).valid).toBe(true);
    expect((await p.call<WebhookResource>('GET', `/v1/customers/${customer.id}/webhooks/${endpoint.id}`)).body.previous_secret_expires_at).toBeNull();
  });

  test('only the chosen event types of the endpoint\'s own customer are sent', async () => {
    const a = await newCustomer();
    const b = await newCustomer();
    const endpoint = await addEndpoint(a.id, '/ok', ['customer.deactivated']);
    receiver.state.secrets.set('/ok', [endpoint.secret]);
    await touch(a.id, 'Not sent');
    await touch(b.id, 'Not ours');
    expect((await p.call('POST', `/v1/customers/${a.id}/activate`)).status).toBe(200);
    expect((await p.call('POST', `/v1/customers/${a.id}/deactivate`)).status).toBe(200);
    const [d] = await eventually(async () => {
      const list = await deliveries(a.id, endpoint.id);
      return list.length > 0 && list.every((x) => x.status === 'succeeded') ? list : null;
    });
    const all = await deliveries(a.id, endpoint.id);
    expect(all.map((x) => x.event_type)).toEqual(['customer.deactivated']);
    expect(d!.event_type).toBe('customer.deactivated');
  });

  test('create, list, update and delete; URLs and event types are validated; other customers see 404', async () => {
    const customer = await newCustomer();
    const base = `/v1/customers/${customer.id}/webhooks`;
    const http = await p.call<Problem>('POST', base, { body: { url: 'http://hooks.acme.example/in', event_types: ['*'] } });
    expect(http.status).toBe(400);
    expect(http.body.errors).toEqual([{ field: 'url', message: 'must be https (http only to a loopback host)' }]);
    const unknown = await p.call<Problem>('POST', base, { body: { url: 'https://hooks.acme.example/in', event_types: ['customer.exploded'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.field).toBe('event_types.0');

    const created = await p.call<WebhookWithSecret>('POST', base, { body: { url: 'https://hooks.acme.example/in', event_types: ['invoice.paid', 'invoice.paid'], description: 'Billing sync' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'webhook_endpoint', event_types: ['invoice.paid'], enabled: true, description: 'Billing sync' });
    const id = created.body.id;
    const list = await p.call<Page<WebhookResource>>('GET', base, { token: await p.tokenFor('viewer') });
    expect(list.body.data.map((e) => e.id)).toEqual([id]);
    expect(list.body.data[0]).not.toHaveProperty('secret');

    const updated = await p.call<WebhookResource>('PATCH', `${base}/${id}`, { body: { event_types: ['*'], enabled: false } });
    expect(updated.body).toMatchObject({ event_types: ['*'], enabled: false, disabled_reason: 'requested' });
    const other = await newCustomer();
    expect((await p.call('GET', `/v1/customers/${other.id}/webhooks/${id}`)).status).toBe(404);
    expect((await p.call('DELETE', `/v1/customers/${other.id}/webhooks/${id}`)).status).toBe(404);
    expect((await p.call('POST', `${base}/${id}/rotate-secret`, { token: await p.tokenFor('viewer') })).status).toBe(403);

    expect((await p.call('DELETE', `${base}/${id}`)).status).toBe(200);
    expect((await p.call('GET', `${base}/${id}`)).status).toBe(404);
    const types = (await p.call<Page<EventResource>>('GET', `/v1/events?subject=${customer.id}&limit=100`)).body.data.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['webhook_endpoint.created', 'webhook_endpoint.updated', 'webhook_endpoint.disabled', 'webhook_endpoint.deleted']));
  });
});

describe('erasing a customer ends its webhooks', () => {
  test('its endpoints and their deliveries go with its personal data', async () => {
    const customer = await newCustomer();
    const endpoint = await addEndpoint(customer.id, '/ok');
    receiver.state.secrets.set('/ok', [endpoint.secret]);
    await touch(customer.id, 'Soon Erased');
    await eventually(async () => (await deliveries(customer.id, endpoint.id)).find((d) => d.status === 'succeeded'));
    expect((await p.call('POST', `/v1/customers/${customer.id}/erase`)).status).toBe(200);
    expect((await p.call('GET', `/v1/customers/${customer.id}/webhooks/${endpoint.id}`)).status).toBe(404);
    expect((await p.call<Page<WebhookResource>>('GET', `/v1/customers/${customer.id}/webhooks`)).body.data).toEqual([]);
  });
});
