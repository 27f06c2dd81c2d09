import type { Context, MiddlewareHandler } from 'hono';
import type { ContextOptions } from '../kernel/context.ts';
import { requestId as honoRequestId } from 'hono/request-id';
import { newId } from '../kernel/ids.ts';
import type { AppEnv } from './env.ts';

const HEADER = 'X-Request-Id';
const MAX_LENGTH = 128;
// Wider than hono's own check (letters, digits, `_`, `-`, `=`): tracing ids often carry `.` or `:`.
const ACCEPTED = /^[A-Za-z0-9._:-]+$/;

/**
 * Gives every request an id and echoes it in `X-Request-Id`: hono's request-id
 * middleware, configured with our header, length and id format. A caller's id
 * that hono's check refuses still counts when it matches ours; anything else is
 * replaced by a fresh `req_…` id.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return honoRequestId({
    headerName: HEADER,
    limitLength: MAX_LENGTH,
    generator: (c) => {
      const given = c.req.header(HEADER);
      return given && given.length <= MAX_LENGTH && ACCEPTED.test(given) ? given : newId('req');
    },
  });
}

// W3C Trace Context, version 00: trace id and parent id in lower-case hex, neither all zeros.
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * What ties a verb's context to its request: the request id, and the caller's `traceparent`
 * when it sent a valid one. The trace context is carried as given into the events the request
 * writes (the CloudEvents distributed-tracing extension), so a tracing caller can follow its
 * request through the outbox to every consumer's log lines; this service starts no traces of its own.
 */
export function requestContextOptions(c: Context<AppEnv>): Pick<ContextOptions, 'requestId' | 'traceparent'> {
  const traceparent = c.req.header('traceparent')?.trim();
  return { requestId: c.get('requestId'), traceparent: traceparent && TRACEPARENT.test(traceparent) ? traceparent : undefined };
}
