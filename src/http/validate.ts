import type { Context, MiddlewareHandler, ValidationTargets } from 'hono';
import { uniqueSymbol, validator as documentedValidator } from 'hono-openapi';
import { validator } from 'hono/validator';
import * as v from 'valibot';
import { DomainError, validationError, type FieldIssue } from '../kernel/errors.ts';
import { findDuplicateKeys } from './json-duplicates.ts';
import { issueSentence } from './messages.ts';
import { JSON_TYPE, LONE_SURROGATE_MESSAGE, loneSurrogatePaths, mayHoldLoneSurrogate, undecodableParams } from './well-formed-text.ts';

const WHERE: Partial<Record<keyof ValidationTargets, string>> = { query: 'query', param: 'path', header: 'header' };

function fieldOf(issue: v.BaseIssue<unknown>, target: keyof ValidationTargets): string {
  const path = (issue.path ?? []).map((p) => String(p.key)).join('.');
  return path || (WHERE[target] ?? 'body');
}

/**
 * Parses `value` with `schema`; every failing field becomes one issue of a 400 problem, in a
 * sentence, after the `unknown` issues (query parameters the route does not take).
 */
function parse<S extends v.GenericSchema>(schema: S, value: unknown, target: keyof ValidationTargets, unknown: FieldIssue[] = []): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { message: issueSentence });
  if (result.success && unknown.length === 0) return result.output;
  throw validationError([...unknown, ...(result.issues ?? []).map((issue) => ({ field: fieldOf(issue, target), message: issue.message }))]);
}

/**
 * The query parameters a route does not take, one issue each: the document lists a route's
 * parameters and nothing else, so `?stauts=draft` is a 400 naming it rather than a list that
 * silently ignored the filter. Undefined when the schema is no object (takes any).
 */
function unknownParams(schema: v.GenericSchema): ((query: Record<string, unknown>) => FieldIssue[]) | undefined {
  if (!('entries' in schema)) return undefined;
  const names = Object.keys(schema.entries as Record<string, unknown>);
  const known = new Set(names);
  const message = names.length > 0 ? `is not a parameter of this route, which takes ${names.join(', ')}` : 'is not a parameter of this route, which takes none';
  return (query) => Object.keys(query).filter((name) => !known.has(name)).map((field) => ({ field, message }));
}

/**
 * The JSON body, read once: 415 unless it is sent as JSON (an empty body is
 * `undefined` when the route's body is optional), 400 naming the body when it
 * is not JSON, 400 naming each key that occurs twice in one object, and each
 * string or key with a lone surrogate (`"\ud800"`, which no UTF-8 text can hold).
 * Bytes that are not UTF-8 were refused before (`requireUtf8Body`).
 */
async function readJsonBody(c: Context, optional: boolean): Promise<unknown> {
  const text = await c.req.text();
  if (optional && text.trim() === '') return undefined;
  const contentType = c.req.header('Content-Type');
  const mediaType = contentType?.split(';')[0]!.trim() ?? '';
  if (!JSON_TYPE.test(mediaType)) {
    throw new DomainError('unsupported_media_type', `the request body must be sent as application/json, not ${mediaType || 'without a Content-Type'}`, {
      expected: 'application/json',
      issues: [{ field: 'Content-Type', message: 'must be application/json' }],
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw validationError([{ field: 'body', message: text.trim() === '' ? 'is required' : 'must be valid JSON' }]);
  }
  // Every body is an object. valibot's object schemas take an array as an object with no keys,
  // so `[]` would pass as a body whose fields are all optional: refuse it here, for every route.
  if (Array.isArray(value)) throw validationError([{ field: 'body', message: 'must be a JSON object, not an array' }]);
  const duplicates = findDuplicateKeys(text);
  if (duplicates.length > 0) throw validationError(duplicates.map((field) => ({ field, message: 'appears more than once' })));
  // Walked only when the text holds a surrogate at all: a 1,000-record usage batch rarely does.
  const malformed = mayHoldLoneSurrogate(text) ? loneSurrogatePaths(value) : [];
  if (malformed.length > 0) throw validationError(malformed.map((field) => ({ field: field || 'body', message: LONE_SURROGATE_MESSAGE })));
  return value;
}

/**
 * Validates a part of the request with a valibot schema (which also feeds the
 * OpenAPI document); failures become a 400 problem naming each field in a
 * sentence (src/http/messages.ts). A JSON body must be sent as JSON (else 415)
 * and may not repeat a key; text must be well-formed Unicode (else 400).
 */
export function validate<S extends v.GenericSchema, T extends keyof ValidationTargets>(target: T, schema: S) {
  const documented = documentedValidator(target, schema);
  let middleware: MiddlewareHandler;
  if (target === 'json') {
    const optional = v.safeParse(schema, undefined).success;
    middleware = async function validateJson(c, next) {
      c.req.addValidatedData('json', parse(schema, await readJsonBody(c, optional), 'json') as {});
      await next();
    };
  } else {
    const unknownIn = target === 'query' ? unknownParams(schema) : undefined;
    middleware = validator(target, (value, c) => {
      // A query or path value whose percent-encoding is not UTF-8 stays raw text (`%C3%28`) in Hono: refuse it.
      const undecodable = target === 'query' || target === 'param' ? undecodableParams(c.req.url, c.req.routePath, target) : [];
      if (undecodable.length > 0) throw validationError(undecodable);
      return parse(schema, value, target, unknownIn?.(value as Record<string, unknown>));
    }) as unknown as MiddlewareHandler;
  }
  // The OpenAPI document reads the schema from hono-openapi's marker on the middleware.
  const marker = (documented as unknown as Record<typeof uniqueSymbol, unknown>)[uniqueSymbol];
  return Object.assign(middleware, { [uniqueSymbol]: marker }) as unknown as typeof documented;
}
