import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { webhookEndpoints } from '../db/schema/index.ts';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { WebhookDeliveryResource, WebhookWithSecret } from '../src/webhooks/contract.ts';
import { nodeTransport, type ResolvedAddress } from '../src/webhooks/transport-node.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';

/**
 * What public-looking names resolve to, as a hostile or rebinding DNS would answer: the sender's
 * real resolver is replaced for these names only; everything else (the check, the connection,
 * the receiver) is real.
 */
const DNS: Record<string, ResolvedAddress[]> = {
  'hooks.rebound.example': [{ address: '127.0.0.1', family: 4 }],
  'hooks.v6-loopback.example': [{ address: '::1', family: 6 }],
  'hooks.metadata.example': [{ address: '169.254.169.254', family: 4 }],
  'hooks.mapped.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'hooks.half-private.example': [
    { address: '93.184.216.34', family: 4 },
    { address: '10.0.0.7', family: 4 },
  ],
  'hooks.public-but-here.example': [{ address: '127.0.0.1', family: 4 }],
};
const resolve = async (host: string) => {
  const answer = DNS[host];
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return answer;
};

/** A self-signed certificate for hooks.public-but-here.example (valid 2000–2099), made for this test only. */
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg88Xl2mIxQFrCUhOO
Q278drbCagfJziK0+mu6M2jgIjWhRANCAAQQisphmHLkJx2M9x9GOfOYoDurDEPz
Ar3GcL0lAVDfiOJmAAMWGreRvQzCG7+xBDuVULQdpI56kqS6wS2xNQnz
-----END PRIVATE KEY-----`;
const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATegAwIBAgIUHJ5inHpksQNqeiMbe+glbDVWJkMwCgYIKoZIzj0EAwIw
KDEmMCQGA1UEAwwdaG9va3MucHVibGljLWJ1dC1oZXJlLmV4YW1wbGUwIBcNMDAw
MTAxMDAwMDAwWhgPMjA5OTEyMzEwMDAwMDBaMCgxJjAkBgNVBAMMHWhvb2tzLnB1
YmxpYy1idXQtaGVyZS5leGFtcGxlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
EIrKYZhy5CcdjPcfRjnzmKA7qwxD8wK9xnC9JQFQ34jiZgADFhq3kb0Mwhu/sQQ7
lVC0HaSOepKkusEtsTUJ86M9MDswKAYDVR0RBCEwH4IdaG9va3MucHVibGljLWJ1
dC1oZXJlLmV4YW1wbGUwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBE
AiA7ymYjsNNCYl7dHQ93hAPpGUAYacqOajDdrMEWGuEJ3QIgaC3DVr+fFNDuz+o/
5xzcf/Vqb+rgricr4IWsAyh1Kl4=
-----END CERTIFICATE-----`;

/** A real HTTPS server on loopback for hooks.public-but-here.example, noting the Host of each request. */
function startTlsReceiver() {
  const hosts: string[] = [];
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, tls: { key: TLS_KEY, cert: TLS_CERT }, fetch: (req) => (hosts.push(req.headers.get('host') ?? ''), new Response('ok')) });
  return { port: server.port!, hosts, stop: () => server.stop(true) };
}

/** A real HTTP server on loopback that counts what reaches it. */
function startReceiver() {
  const hits: string[] = [];
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => (hits.push(new URL(req.url).pathname), new Response('ok')) });
  return { port: server.port!, hits, stop: () => server.stop(true) };
}

/** A port nothing listens on (bound once, then released). */
function closedPort(): number {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('') });
  const port = server.port!;
  server.stop(true);
  return port;
}

async function newCustomer(p: TestPlatform) {
  const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function addEndpoint(p: TestPlatform, customerId: string, url: string) {
  const res = await p.call<WebhookWithSecret>('POST', `/v1/customers/${customerId}/webhooks`, { body: { url, event_types: ['customer.updated'] } });
  expect({ url, status: res.status }).toEqual({ url, status: 201 });
  return res.body.id;
}

/** Changes the customer's name (one `customer.updated`) and answers each endpoint's first delivery after its first attempt. */
async function firstAttempts(p: TestPlatform, customerId: string, endpoints: string[]) {
  expect((await p.call('PATCH', `/v1/customers/${customerId}`, { body: { name: `Renamed ${Date.now()}` } })).status).toBe(200);
  const out: WebhookDeliveryResource[] = [];
  for (const endpoint of endpoints) {
    out.push(
      await eventually(async () => {
        const list = (await p.call<Page<WebhookDeliveryResource>>('GET', `/v1/customers/${customerId}/webhooks/${endpoint}/deliveries`)).body.data;
        return list[0] && list[0].attempts >= 1 ? list[0] : null;
      }),
    );
  }
  return out;
}

describe('webhooks never reach the platform\'s own network, however the URL names it', () => {
  let p: TestPlatform;
  let receiver: ReturnType<typeof startReceiver>;
  beforeAll(async () => {
    // http to loopback allowed at creation (a developer's setting), private addresses not: the sender must still refuse them.
    p = await createTestPlatform({ env: { WEBHOOKS_ALLOW_HTTP: '1', WEBHOOKS_DISABLE_AFTER_FAILURES: '100' }, build: { webhookTransport: nodeTransport({ resolve }) } });
    receiver = startReceiver();
    p.startWorkers(['relay', 'webhooks']);
  });
  afterAll(async () => {
    await p.close();
    receiver.stop();
  });

  test('loopback names spelled with a trailing dot or in capitals, at creation and at delivery', async () => {
    const customerId = await newCustomer(p);
    const strict = await createTestPlatform();
    const id = await newCustomer(strict);
    for (const url of [`https://localhost.:4242/h`, 'https://LocalHost./h', 'https://LOCALHOST../h']) {
      const refused = await strict.call<Problem>('POST', `/v1/customers/${id}/webhooks`, { body: { url, event_types: ['*'] } });
      expect({ url, status: refused.status, errors: refused.body.errors }).toEqual({ url, status: 400, errors: [{ field: 'url', message: 'must not point at a loopback address' }] });
    }
    await strict.close();
    const endpoints = [await addEndpoint(p, customerId, `http://localhost.:${receiver.port}/dot`), await addEndpoint(p, customerId, `http://LocalHost.:${receiver.port}/caps`)];
    const deliveries = await firstAttempts(p, customerId, endpoints);
    expect(deliveries.map((d) => [d.status, d.last_status_code, d.last_error, d.attempt_log[0]!.error])).toEqual([
      ['pending', null, 'address not allowed', 'address not allowed'],
      ['pending', null, 'address not allowed', 'address not allowed'],
    ]);
    expect(receiver.hits).toEqual([]);
  });

  test('a public name that resolves to 127.0.0.1, ::1, a mapped loopback, the metadata address or partly to a private one is refused when it is sent', async () => {
    const customerId = await newCustomer(p);
    const names = ['hooks.rebound.example', 'hooks.v6-loopback.example', 'hooks.mapped.example', 'hooks.metadata.example', 'hooks.half-private.example'];
    const endpoints = [];
    for (const name of names) endpoints.push(await addEndpoint(p, customerId, `https://${name}:${receiver.port}/resolved`));
    const deliveries = await firstAttempts(p, customerId, endpoints);
    expect(deliveries.map((d) => d.last_error)).toEqual(names.map(() => 'address not allowed'));
    expect(receiver.hits).toEqual([]);
  });

  test('metadata names are refused at creation, and at delivery for an endpoint saved before that rule', async () => {
    const customerId = await newCustomer(p);
    for (const url of ['https://metadata.google.internal/computeMetadata/v1/', 'https://Metadata.Google.Internal./x', 'http://metadata/latest', 'https://169.254.169.254/latest/meta-data']) {
      const res = await p.call<Problem>('POST', `/v1/customers/${customerId}/webhooks`, { body: { url, event_types: ['*'] } });
      expect({ url, status: res.status, field: res.body.errors?.[0]?.field }).toEqual({ url, status: 400, field: 'url' });
    }
    const endpoint = await addEndpoint(p, customerId, 'https://hooks.public-but-here.example/in');
    await p.deps.db.update(webhookEndpoints).set({ url: `https://metadata.google.internal:${receiver.port}/computeMetadata/v1/` }).where(eq(webhookEndpoints.id, endpoint));
    const [delivery] = await firstAttempts(p, customerId, [endpoint]);
    expect(delivery!.last_error).toBe('address not allowed');
    expect(receiver.hits).toEqual([]);
  });

  test('an open and a closed port on loopback look the same in the delivery log', async () => {
    const customerId = await newCustomer(p);
    const endpoints = [await addEndpoint(p, customerId, `http://127.0.0.1:${receiver.port}/open`), await addEndpoint(p, customerId, `http://127.0.0.1:${closedPort()}/closed`)];
    const deliveries = await firstAttempts(p, customerId, endpoints);
    expect(deliveries.map((d) => [d.last_status_code, d.last_error])).toEqual([
      [null, 'address not allowed'],
      [null, 'address not allowed'],
    ]);
    expect(receiver.hits).toEqual([]);
  });
});

describe('with WEBHOOKS_ALLOW_PRIVATE (test receivers), failures still say only what kind they were', () => {
  let p: TestPlatform;
  let receiver: ReturnType<typeof startReceiver>;
  let tls: ReturnType<typeof startTlsReceiver>;
  beforeAll(async () => {
    p = await createTestPlatform({ env: { WEBHOOKS_ALLOW_HTTP: '1', WEBHOOKS_ALLOW_PRIVATE: '1', WEBHOOKS_DISABLE_AFTER_FAILURES: '100' }, build: { webhookTransport: nodeTransport({ resolve, ca: TLS_CERT }) } });
    receiver = startReceiver();
    tls = startTlsReceiver();
    p.startWorkers(['relay', 'webhooks']);
  });
  afterAll(async () => {
    await p.close();
    receiver.stop();
    tls.stop();
  });

  test('the receiver is reached at the address that was checked, its certificate and Host still naming the host', async () => {
    const customerId = await newCustomer(p);
    const endpoint = await addEndpoint(p, customerId, `https://Hooks.Public-But-Here.Example.:${tls.port}/pinned`);
    const [delivery] = await firstAttempts(p, customerId, [endpoint]);
    expect([delivery!.status, delivery!.last_status_code]).toEqual(['succeeded', 200]);
    expect(tls.hosts).toEqual([`hooks.public-but-here.example:${tls.port}`]);
  });

  test('an open port that does not speak TLS and a closed port both log "connection failed", with no socket error', async () => {
    const customerId = await newCustomer(p);
    const endpoints = [await addEndpoint(p, customerId, `https://127.0.0.1:${receiver.port}/tls-to-plain`), await addEndpoint(p, customerId, `https://127.0.0.1:${closedPort()}/closed`)];
    const deliveries = await firstAttempts(p, customerId, endpoints);
    expect(deliveries.map((d) => [d.last_status_code, d.last_error, d.attempt_log[0]!.error])).toEqual([
      [null, 'connection failed', 'connection failed'],
      [null, 'connection failed', 'connection failed'],
    ]);
    expect(JSON.stringify(deliveries)).not.toMatch(/ECONN|EPROTO|ERR_|SSL|TLS|refused|wrong version/i);
  });
});
