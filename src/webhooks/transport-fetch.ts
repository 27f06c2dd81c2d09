import { describeFailure, refusedHost, type WebhookTransport } from './transport.ts';

/**
 * Webhooks through the runtime's `fetch`: the transport of Cloudflare Workers, where no
 * resolver or socket is at hand. The host as written is checked (`refusedHost`); what a
 * public name resolves to is not, and need not be there: a Worker's subrequests leave from
 * Cloudflare's network, which does not route to private, loopback or link-local addresses
 * (there is no platform network or metadata service behind it to reach). Redirects are not followed.
 */
export function fetchTransport(send: typeof fetch = fetch): WebhookTransport {
  return async function fetchWebhook(request) {
    if (!request.allowPrivate) {
      const refused = refusedHost(new URL(request.url).hostname);
      if (refused) return { failed: 'address_not_allowed', detail: refused };
    }
    try {
      const res = await send(request.url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal: request.signal });
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status };
    } catch (error) {
      return { failed: 'connection_failed', detail: describeFailure(error) };
    }
  };
}
