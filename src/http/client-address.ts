import type { Context } from 'hono';
import type { AppEnv } from './env.ts';

/**
 * The client's IP address: the peer the runtime saw, or, when the API sits behind
 * a trusted proxy, the header that proxy sets (`header`, from CLIENT_ADDRESS_HEADER).
 * No header is trusted by default: a client can write any header it likes.
 * For `X-Forwarded-For` the last entry counts, the one the trusted proxy appended.
 * Without the header, the peer counts. Undefined when neither is known (in-process requests without a peer).
 */
export function clientAddress(c: Context<AppEnv>, header: string | undefined): string | undefined {
  if (header) {
    const last = c.req.header(header)?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return c.env?.peerAddress || undefined;
}
