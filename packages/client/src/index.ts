import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.d.ts';

export type { components, operations, paths };

/** A typed client over every path of the API: `client.GET('/v1/customers/{id}', …)` and so on. */
export type PlatformClient = Client<paths>;

/** What `createPlatformClient` passes on to openapi-fetch (`fetch`, extra `headers`, …). */
export type PlatformClientOptions = Omit<ClientOptions, 'baseUrl' | 'headers'> & { headers?: Record<string, string> };

/**
 * A client for the platform at `baseUrl` (e.g. `http://localhost:3000`) that sends `token`
 * (a login token or an API key `sk_live_…`) as the bearer of every request; without one only
 * the open operations (log in, health) succeed. Errors come back typed as the RFC 9457
 * problem the document declares for that status. Pass `fetch` to call an app in-process
 * (`fetch: (request) => app.fetch(request)`).
 *
 * @example
 * const platform = createPlatformClient('http://localhost:3000', token);
 * const { data, error } = await platform.GET('/v1/customers/{id}', { params: { path: { id } } });
 */
export function createPlatformClient(baseUrl: string, token?: string, options: PlatformClientOptions = {}): PlatformClient {
  const headers = { ...options.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  return createClient<paths>({ ...options, baseUrl, headers });
}
