/** The one vocabulary of failures; the HTTP layer maps each code to a status. */
export type ErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_transition'
  | 'idempotency_mismatch'
  | 'idempotency_in_progress'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'internal';

/** A problem a caller can act on: a field that failed validation. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** An expected failure of a command or query, carrying a stable code. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { issues?: FieldIssue[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string) =>
  new DomainError('not_found', `${what} ${id} does not exist`, { resource: what.toLowerCase(), id });

export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError('conflict', message, details);

export const validationError = (issues: FieldIssue[]) =>
  new DomainError('validation', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { issues });

/** A one-line description of any thrown value, including its cause (driver errors hide the real reason there). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return describeError(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause ? `${error.message} (cause: ${describeError(cause)})` : error.message;
}

/** The innermost cause's message: what went wrong without the SQL text and parameters around it. */
export function rootCause(error: unknown): string {
  let e: unknown = error;
  while (e instanceof Error && (e as { cause?: unknown }).cause) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? e.message : String(e);
}
