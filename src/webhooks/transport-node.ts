import { lookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isForbiddenAddress, isIpLiteral, normaliseHost } from './address.ts';
import { describeFailure, refusedHost, type WebhookAnswer, type WebhookRequest, type WebhookTransport } from './transport.ts';

/** One address a name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address of a name (the system resolver: /etc/hosts, then DNS). */
export type Resolve = (host: string) => Promise<ResolvedAddress[]>;

const systemResolve: Resolve = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Webhooks from the server runtimes (Bun, Node, Deno) over node:http(s). At every attempt the
 * name is resolved and each address it resolves to is checked (`isForbiddenAddress`): one
 * private, loopback, link-local or metadata address refuses the attempt, so DNS cannot
 * point an endpoint at the platform's network after its URL was accepted. The connection then
 * goes to the checked address (the `lookup` option answers it), never to a second resolution
 * that could differ (DNS rebinding), while SNI, certificate and Host still name the host.
 * `resolve` replaces the system resolver and `ca` the trusted certificates (tests: a receiver
 * with its own certificate for a name that resolves where they need it).
 */
export function nodeTransport(options: { resolve?: Resolve; ca?: string } = {}): WebhookTransport {
  const resolve = options.resolve ?? systemResolve;
  return async function nodeWebhook(request) {
    const url = new URL(request.url);
    const host = normaliseHost(url.hostname);
    if (!request.allowPrivate) {
      const refused = refusedHost(host);
      if (refused) return { failed: 'address_not_allowed', detail: refused };
    }
    let addresses: ResolvedAddress[];
    try {
      addresses = isIpLiteral(host) ? [{ address: host, family: host.includes(':') ? 6 : 4 }] : await untilAborted(resolve(host), request.signal);
    } catch (error) {
      return { failed: 'connection_failed', detail: `could not resolve ${host}: ${describeFailure(error)}` };
    }
    const [first] = addresses;
    if (!first) return { failed: 'connection_failed', detail: `${host} has no address` };
    const forbidden = request.allowPrivate ? undefined : addresses.find((a) => isForbiddenAddress(a.address));
    if (forbidden) return { failed: 'address_not_allowed', detail: `${host} resolves to ${forbidden.address}` };
    return post(url, host, first, request, options.ca);
  };
}

/** The POST itself, connected to `pinned` whatever the name would resolve to now. */
function post(url: URL, host: string, pinned: ResolvedAddress, request: WebhookRequest, ca: string | undefined): Promise<WebhookAnswer> {
  const pin: LookupFunction = (_name, opts, callback) => {
    if (opts.all) (callback as unknown as (error: null, all: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const body = new TextEncoder().encode(request.body);
  const options: RequestOptions & { ca?: string } = {
    host,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method: 'POST',
    headers: { ...request.headers, 'Content-Length': String(body.byteLength) },
    lookup: pin,
    // No pooled socket: each attempt connects to the address it checked.
    agent: false,
  };
  if (ca !== undefined) options.ca = ca;
  return new Promise((resolve) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', (error) => resolve({ failed: 'connection_failed', detail: describeFailure(error) }));
    const abort = () => req.destroy(new Error('aborted: no answer in time'));
    if (request.signal.aborted) abort();
    else request.signal.addEventListener('abort', abort, { once: true });
    req.end(body);
  });
}

/** `promise`, or a rejection as soon as `signal` aborts (a slow resolver counts against the timeout). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const abort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
