import type { MiddlewareHandler } from 'hono';
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
