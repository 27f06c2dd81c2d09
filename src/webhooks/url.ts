/**
 * Where a webhook may point. https to a public host; http (or https) to a loopback host
 * only when `allowLoopback` (WEBHOOKS_ALLOW_HTTP, for tests and local development).
 * Private, link-local and loopback IP literals are refused otherwise, so an endpoint
 * cannot aim the sender at the platform's own network by address. (A public name that
 * resolves to a private address is not caught here: that needs the resolver's answer.)
 * Returns why not, or null when the URL is acceptable.
 */
export function webhookUrlProblem(raw: string, allowLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://example.com/webhooks';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const loopback = isLoopback(host);
  if (loopback) return allowLoopback ? (url.protocol === 'http:' || url.protocol === 'https:' ? null : 'must be an http(s) URL') : 'must not point at a loopback address';
  if (url.protocol !== 'https:') return allowLoopback ? 'must be https (http only to a loopback host)' : 'must be https';
  if (isPrivateAddress(host)) return 'must not point at a private or link-local address';
  return null;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1';
}

function isPrivateAddress(host: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (host.includes(':')) return host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith('::ffff:');
  return false;
}
