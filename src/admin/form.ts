import type { Context } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../http/env.ts';
import { issueSentence } from '../http/messages.ts';
import { DomainError, validationError } from '../kernel/errors.ts';
import { withTransaction, type TxCtx } from '../kernel/context.ts';
import { redirectWith } from './ui.ts';

/** A posted form's fields (strings), without the CSRF token; empty fields are left out. */
export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (name !== '_csrf' && typeof value === 'string' && value.trim() !== '') fields[name] = value.trim();
  return fields;
}

/** Parses a form's fields (already shaped by the caller) with the API's own valibot schema: the same rules and messages. */
export function parseForm<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { message: issueSentence });
  if (result.success) return result.output;
  throw validationError(result.issues.map((issue) => ({ field: (issue.path ?? []).map((p) => String(p.key)).join('.') || 'form', message: issue.message })));
}

/**
 * Runs a dashboard command through the same verb as the API, in one transaction,
 * then redirects (Post/Redirect/Get) to `back` with a notice, or with the error's
 * message when the verb refused (validation, conflict, an illegal transition).
 * A role that does not reach the action never gets here (403 from enforceAccess).
 */
export async function formCommand<T>(
  c: Context<AppEnv>,
  back: string | ((result: T) => string),
  notice: string | ((result: T) => string),
  verb: (ctx: TxCtx) => Promise<T>,
): Promise<Response> {
  try {
    const result = await withTransaction(c.get('ctx'), verb);
    return redirectWith(c, typeof back === 'string' ? back : back(result), { notice: typeof notice === 'string' ? notice : notice(result) });
  } catch (error) {
    if (!(error instanceof DomainError) || error.code === 'unauthorized' || error.code === 'forbidden') throw error;
    const issues = error.details.issues?.map((i) => `${i.field}: ${i.message}`).join('; ');
    return redirectWith(c, typeof back === 'string' ? back : c.req.path, { error: issues || error.message });
  }
}
