import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { storageFaultOf, type StorageFault } from '../../db/storage-fault.ts';
import { DomainError, type ErrorCode, type FieldIssue } from '../kernel/errors.ts';
import type { AppEnv } from './env.ts';

/** Status and title for each error code: one vocabulary for the whole API. */
export const problemCatalog: Record<ErrorCode, { status: ContentfulStatusCode; title: string }> = {
  validation: { status: 400, title: 'The request is not valid' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'This caller may not do this' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'This resource does not support the method' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  invalid_transition: { status: 409, title: 'Transition not allowed from the current state' },
  idempotency_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still running' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  idempotency_mismatch: { status: 422, title: 'Idempotency-Key reused with a different request' },
  /** The customer is billed in another currency, or the plan has no price in the customer's (`errors` names the fields). */
  currency_mismatch: { status: 409, title: 'The currency does not match the customer\'s billing currency' },
  /** A charge (price × quantity) past the largest amount an invoice line may carry (`max_amount`). */
  amount_out_of_range: { status: 422, title: 'The amount is larger than one charge may be' },
  /** The customer already has as many live subscriptions as it may (`subscription_id` names one). */
  subscription_exists: { status: 409, title: 'The customer already has a live subscription' },
  /** The customer already had this plan's trial (`subscription_id` names the subscription that had it). */
  trial_used: { status: 409, title: 'The customer already had a trial of this plan' },
  quota_exceeded: { status: 429, title: 'The subscription has used up its included tokens' },
  rate_limited: { status: 429, title: 'Too many attempts; wait before trying again' },
  headers_too_large: { status: 431, title: 'The request headers are too large' },
  /** The database cannot take writes now (disk full, read-only, I/O failure): nothing was changed; retry after `Retry-After`. */
  storage_unavailable: { status: 503, title: 'The database cannot store changes right now' },
  internal: { status: 500, title: 'Internal server error' },
};

/** Seconds a client waits before retrying a write the storage refused: long enough for an operator or a cleanup to act. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

const storageDetail: Record<StorageFault['kind'], string> = {
  disk_full: 'the database\'s disk is full',
  read_only: 'the database is read-only',
  io_error: 'the database\'s storage failed to read or write',
  cannot_open: 'the database file cannot be opened',
};

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  request_id?: string;
  errors?: FieldIssue[];
  [extension: string]: unknown;
}

const codeForStatus = (status: number): ErrorCode =>
  status === 401 ? 'unauthorized'
  : status === 403 ? 'forbidden'
  : status === 404 ? 'not_found'
  : status === 405 ? 'method_not_allowed'
  : status === 409 ? 'conflict'
  : status === 413 ? 'payload_too_large'
  : status === 415 ? 'unsupported_media_type'
  : status === 422 ? 'idempotency_mismatch'
  : status === 429 ? 'quota_exceeded'
  : status === 431 ? 'headers_too_large'
  : status === 503 ? 'storage_unavailable'
  : status < 500 ? 'validation'
  : 'internal';

/** Builds the problem document for a code. */
export function problemFor(code: ErrorCode, detail: string, instance: string, extra: Record<string, unknown> = {}): Problem {
  const { status, title } = problemCatalog[code];
  // Extension members never override the standard ones: `status` must stay the HTTP status.
  return { ...extra, type: `/problems/${code}`, title, status, detail, instance, code };
}

/** Sends a problem+json response. */
export function sendProblem(c: Context<AppEnv>, problem: Problem): Response {
  return c.body(JSON.stringify({ ...problem, request_id: c.get('requestId') }), problem.status as ContentfulStatusCode, {
    'Content-Type': 'application/problem+json',
  });
}

/**
 * The one error handler: domain errors and HTTP exceptions become their
 * problem; the storage refusing a write (disk full, read-only, I/O) a 503 with
 * `Retry-After`, since the same request can succeed later; anything else is
 * logged with its stack and answered with a bare 500.
 */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  const instance = c.req.path;
  if (error instanceof DomainError) {
    const { issues, ...rest } = error.details;
    if (typeof rest.retry_after === 'number') c.header('Retry-After', String(rest.retry_after));
    return sendProblem(c, problemFor(error.code, error.message, instance, issues ? { errors: issues, ...rest } : rest));
  }
  if (error instanceof HTTPException) {
    const code = codeForStatus(error.status);
    const detail = error.message || problemCatalog[code].title;
    // Hono's validators throw a bare 400 when the body cannot be parsed at all (malformed JSON).
    const extra = error.status === 400 ? { errors: [{ field: 'body', message: detail }] } : {};
    return sendProblem(c, { ...problemFor(code, detail, instance, extra), status: error.status });
  }
  const fault = storageFaultOf(error);
  if (fault) {
    c.get('deps')?.logger.warn('write refused by the storage', { fault: fault.kind, error: fault.message, requestId: c.get('requestId'), path: instance });
    c.header('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
    const detail = `${storageDetail[fault.kind]}: nothing was changed; retry later with the same Idempotency-Key`;
    return sendProblem(c, problemFor('storage_unavailable', detail, instance, { reason: fault.kind, retry_after: STORAGE_RETRY_AFTER_SECONDS }));
  }
  c.get('deps')?.logger.error('unhandled error', { error: error.message, stack: error.stack, requestId: c.get('requestId'), path: instance });
  return sendProblem(c, problemFor('internal', 'Something went wrong on our side. Quote the request id when reporting it.', instance));
}
