const encoder = new TextEncoder();

/** A new endpoint secret: `whsec_` and 32 random bytes in hex. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Hex HMAC-SHA256 of `<t>.<body>` keyed with the whole secret string. */
export async function signPayload(secret: string, timestampSeconds: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestampSeconds}.${body}`)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The `Webhook-Signature` header: `t=<unix seconds>,v1=<hex>`, with one `v1` per secret
 * (the current one first; the previous one too while a rotation's overlap lasts).
 */
export async function signatureHeader(secrets: readonly string[], nowMs: number, body: string): Promise<string> {
  const t = Math.floor(nowMs / 1000);
  const signatures = await Promise.all(secrets.map((s) => signPayload(s, t, body)));
  return [`t=${t}`, ...signatures.map((s) => `v1=${s}`)].join(',');
}
