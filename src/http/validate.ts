import type { ValidationTargets } from 'hono';
import { validator } from 'hono-openapi';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { validationError } from '../kernel/errors.ts';

const WHERE: Partial<Record<keyof ValidationTargets, string>> = { query: 'query', param: 'path', header: 'header' };

function fieldOf(issue: StandardSchemaV1.Issue, target: keyof ValidationTargets): string {
  const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
  const prefix = WHERE[target];
  if (!path) return prefix ?? 'body';
  return path;
}

/**
 * Validates a part of the request with a valibot schema (which also feeds the
 * OpenAPI document); failures become a 400 problem naming each field.
 */
export function validate<S extends StandardSchemaV1, T extends keyof ValidationTargets>(target: T, schema: S) {
  return validator(target, schema, (result) => {
    if (!result.success) {
      throw validationError(result.error.map((issue) => ({ field: fieldOf(issue, target), message: issue.message })));
    }
  });
}
