/**
 * Checks a webhook from the Subscription Platform. Self-contained (WebCrypto only, no
 * imports) so it runs on Bun, Node 20+, Deno, Cloudflare Workers and browsers, and can be
 * copied into a receiver as is.
 *
 * The `Webhook-Signature` header is `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each `v1` the
 * HMAC-SHA256 of `<t>.<raw body>` keyed with an endpoint secret (`whsec_…`, the whole string).
 * While a rotated secret's overlap lasts, the header carries one `v1` per valid secret, so
 * a receiver holding either the old or the new secret accepts it.
 *
 * @example
 * const raw = await request.text(); // the raw body: parse JSON only after checking
 * const check = await verifyWebhook(process.env.WEBHOOK_SECRET!, request.headers.get('webhook-signature'), raw);
 * if (!check.valid) return new Response(check.reason, { status: 400 });
 * const event = JSON.parse(raw);
 */
export async function verifyWebhook(
  secret: string | readonly string[],
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  options: { toleranceSeconds?: number; now?: number } = {},
): Promise<WebhookVerification> {
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { valid: false, reason: 'malformed_header' };
  if (Math.abs(nowSeconds - parsed.timestamp) > tolerance) return { valid: false, reason: 'timestamp_out_of_tolerance' };
  const body = typeof rawBody === 'string' ? new TextEncoder().encode(rawBody) : rawBody;
  const signed = concat(new TextEncoder().encode(`${parsed.timestamp}.`), body);
  for (const key of typeof secret === 'string' ? [secret] : secret) {
    const expected = await hmacHex(key, signed);
    if (parsed.signatures.some((candidate) => timingSafeEqual(candidate, expected))) return { valid: true, timestamp: parsed.timestamp };
  }
  return { valid: false, reason: 'no_matching_signature' };
}

/** What `verifyWebhook` found: valid (with the signed time, unix seconds), or why not. */
export type WebhookVerification =
  | { valid: true; timestamp: number }
  | { valid: false; reason: 'malformed_header' | 'timestamp_out_of_tolerance' | 'no_matching_signature' };

function parseSignatureHeader(header: string | null | undefined): { timestamp: number; signatures: string[] } | null {
  if (!header) return null;
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2) as [string, string | undefined];
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

async function hmacHex(secret: string, data: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Compares two hex strings of equal length without stopping at the first difference. */
function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
