import * as v from 'valibot';
import { operatorRoles } from '../../db/schema/index.ts';
import { name } from '../customers/contract.ts';
import { email } from '../kernel/email.ts';
import { codePoints, maxChars } from '../kernel/text.ts';
import { pageQuery } from '../../db/paging.ts';
import { oneOf } from '../kernel/one-of.ts';

const role = oneOf(operatorRoles);
/** 12 to 200 characters, counted as the document's `minLength`/`maxLength` count them (code points). */
export const password = v.pipe(
  v.string(),
  v.check((text) => codePoints(text) >= 12, 'must be at least 12 characters'),
  v.check((text) => codePoints(text) <= 200, 'must be at most 200 characters'),
  v.metadata({ minLength: 12, maxLength: 200 }),
);

export const operatorParams = v.object({ id: v.pipe(v.string(), v.regex(/^op_[0-9A-Z]{26}$/, 'must be an operator id (op_…)')) });
export const createOperatorInput = v.strictObject({ email, name, role, password });
export type CreateOperatorInput = v.InferOutput<typeof createOperatorInput>;
export const updateOperatorInput = v.pipe(
  v.strictObject({ name: v.optional(name), role: v.optional(role), password: v.optional(password), disabled: v.optional(v.boolean()) }),
  v.check((p) => Object.keys(p).length > 0, 'must change at least one field'),
  v.metadata({ minProperties: 1 }),
);
export type UpdateOperatorInput = v.InferOutput<typeof updateOperatorInput>;
export const listOperatorsQuery = v.object({ ...pageQuery });
export type ListOperatorsQuery = v.InferOutput<typeof listOperatorsQuery>;

export const loginInput = v.strictObject({ email, password: v.pipe(v.string(), v.minLength(1, 'must not be empty'), ...maxChars(200)) });
export type LoginInput = v.InferOutput<typeof loginInput>;
export const loginResponse = v.object({ token: v.string(), token_type: v.literal('Bearer'), expires_at: v.string(), operator: v.object({ id: v.string(), email: v.string(), name: v.string(), role }) });
export type LoginResponse = v.InferOutput<typeof loginResponse>;

export const operatorResource = v.object({
  id: v.string(),
  object: v.literal('operator'),
  email: v.string(),
  name: v.string(),
  role,
  disabled: v.boolean(),
  created_at: v.string(),
  updated_at: v.string(),
});
export type OperatorResource = v.InferOutput<typeof operatorResource>;

/** GET /v1/auth/me: the caller and when its token expires. */
export const sessionResource = v.object({ operator: operatorResource, expires_at: v.string() });
export type SessionResource = v.InferOutput<typeof sessionResource>;
