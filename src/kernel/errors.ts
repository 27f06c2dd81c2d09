/** The one vocabulary of failures; the HTTP layer maps each code to a status. */
export type ErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'invalid_transition'
  | 'idempotency_mismatch'
  | 'currency_mismatch'
  | 'amount_out_of_range'
  | 'subscription_exists'
  | 'trial_used'
  | 'idempotency_in_progress'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'storage_unavailable'
  | 'internal';

/** A problem a caller can act on: a field that failed validation. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** An expected failure of a command or query, carrying a stable code. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: { issues?: FieldIssue[]; [key: string]: unknown };

  constructor(code: ErrorCode, message: string, details: { issues?: FieldIssue[]; [key: string]: unknown } = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string, id: string) =>
  new DomainError('not_found', `${what} ${id} does not exist`, { resource: what.toLowerCase(), id });

export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError('conflict', message, details);

export const validationError = (issues: FieldIssue[]) =>
  new DomainError('validation', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { issues });

/** The text of one thrown value, whatever was thrown: an Error, a string, a number, a plain object, null. */
function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message || thrown.name;
  if (typeof thrown === 'string') return thrown;
  if (typeof thrown !== 'object' || thrown === null) return String(thrown);
  const message = (thrown as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  try {
    return JSON.stringify(thrown) ?? Object.prototype.toString.call(thrown);
  } catch {
    // Cyclic or holding a BigInt: the type is all we can say.
    return Object.prototype.toString.call(thrown);
  }
}

/** The chain of a thrown value and its causes, outermost first; stops at a cause already seen. */
function causeChain(thrown: unknown): { chain: unknown[]; cyclic: boolean } {
  const chain: unknown[] = [];
  const seen = new Set<unknown>();
  let current: unknown = thrown;
  for (;;) {
    if (typeof current === 'object' && current !== null) {
      if (seen.has(current)) return { chain, cyclic: true };
      seen.add(current);
    }
    chain.push(current);
    const cause = typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
    if (cause === undefined || cause === null) return { chain, cyclic: false };
    current = cause;
  }
}

/**
 * A one-line description of any thrown value, including its causes (driver errors hide
 * the real reason there). Never throws and always ends, even for a cause cycle.
 */
export function describeError(error: unknown): string {
  const { chain, cyclic } = causeChain(error);
  const tail = cyclic ? ' (cause: … cycle)' : '';
  return chain.reduceRight<string>((inner, thrown, i) => (i === chain.length - 1 ? messageOf(thrown) + tail : `${messageOf(thrown)} (cause: ${inner})`), '');
}

/** The innermost cause's message: what went wrong without the SQL text and parameters around it. */
export function rootCause(error: unknown): string {
  const { chain } = causeChain(error);
  return messageOf(chain.at(-1));
}
