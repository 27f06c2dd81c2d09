import { isForbiddenAddress, isInternalName, isIpLiteral, isLoopbackName, normaliseHost } from './address.ts';

/** One signed POST of a webhook delivery. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Aborted after WEBHOOKS_TIMEOUT_MS; the transport then gives up, whatever phase it is in. */
  signal: AbortSignal;
  /** WEBHOOKS_ALLOW_PRIVATE: private, loopback and link-local addresses may be reached (test receivers). */
  allowPrivate: boolean;
}

/**
 * What came of a request: the receiver's status, or why there was none. `detail` (the
 * resolver's answer, the socket's error code) is for the platform's own log only: the
 * customer's delivery log shows the generic kind, so it cannot be used to map a network.
 */
export type WebhookAnswer = { status: number } | { failed: 'address_not_allowed' | 'connection_failed'; detail: string };

/**
 * How webhooks leave the platform: a narrow port with one adapter per kind of runtime. The
 * server runtimes resolve the name, check every address and connect to the checked one
 * (`transport-node.ts`); Workers send through the platform's fetch (`transport-fetch.ts`).
 */
export type WebhookTransport = (request: WebhookRequest) => Promise<WebhookAnswer>;

/**
 * Why the host as written must not be reached, before any resolving: a loopback or internal
 * name (`localhost.`, `metadata.google.internal`) or a special-purpose address literal.
 * Null when only the resolver's answer can tell.
 */
export function refusedHost(hostname: string): string | null {
  const host = normaliseHost(hostname);
  if (isIpLiteral(host)) return isForbiddenAddress(host) ? `${host} is not a public address` : null;
  if (isLoopbackName(host) || isInternalName(host)) return `${host} is not a public name`;
  return null;
}

/** An error's code and message for the platform's log (`ECONNREFUSED: connect …`). */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
