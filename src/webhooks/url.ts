import { isForbiddenAddress, isInternalName, isIpLiteral, isLoopbackAddress, isLoopbackName, normaliseHost } from './address.ts';

/** What the settings allow a webhook URL (WEBHOOKS_ALLOW_HTTP, WEBHOOKS_ALLOW_PRIVATE). */
export interface UrlRules {
  /** http (and https) to a loopback host, for tests and local development. */
  allowHttp: boolean;
  /** Private, loopback and link-local addresses and internal names (test receivers on a private network). */
  allowPrivate: boolean;
}

/**
 * Where a webhook may point: https to a public host. The host is normalised first (case, the
 * trailing dot of `localhost.`), so a spelling does not slip past. Refused otherwise: loopback
 * hosts (unless WEBHOOKS_ALLOW_HTTP, which also allows http to them), private, link-local and
 * other special-purpose IP literals and internal names such as `metadata.google.internal`
 * (unless WEBHOOKS_ALLOW_PRIVATE). A public name that resolves to a private address is refused
 * at delivery, where the resolver's answer is checked (`transport.ts`).
 * Returns why not, or null when the URL is acceptable.
 */
export function webhookUrlProblem(raw: string, rules: UrlRules): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://example.com/webhooks';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  const host = normaliseHost(url.hostname);
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  if (isLoopbackName(host) || isLoopbackAddress(host)) {
    if (!rules.allowHttp && !rules.allowPrivate) return 'must not point at a loopback address';
    if (!web) return 'must be an http(s) URL';
    return url.protocol === 'https:' || rules.allowHttp ? null : 'must be https';
  }
  if (url.protocol !== 'https:') return rules.allowHttp ? 'must be https (http only to a loopback host)' : 'must be https';
  if (rules.allowPrivate) return null;
  if (isIpLiteral(host) && isForbiddenAddress(host)) return 'must not point at a private or link-local address';
  if (isInternalName(host)) return 'must not point at an internal host name';
  return null;
}
