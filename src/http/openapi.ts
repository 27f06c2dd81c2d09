import { describeRoute, resolver, type DescribeRouteOptions } from 'hono-openapi';
import * as v from 'valibot';
import type { ApiKeyScope } from '../../db/schema/index.ts';
import { access, type Access } from './access.ts';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency.ts';
import { limitPerAddress, type AddressLimited } from './rate-limit.ts';
import type { TenantRule } from './tenancy.ts';

/** The RFC 9457 body every error response carries. */
export const problemSchema = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  detail: v.string(),
  instance: v.string(),
  code: v.string(),
  request_id: v.optional(v.string()),
  errors: v.optional(v.array(v.object({ field: v.string(), message: v.string() }))),
});

const ERROR_TEXT: Record<number, string> = {
  400: 'Validation failed; `errors` names each field',
  401: 'Missing, invalid or expired bearer token',
  403: 'The role of the token, or the scopes of the API key, do not allow this; or a tenant sent a body field only an operator may set (`errors` names each)',
  404: 'No such resource',
  409: 'Conflict with the current state (illegal transition, duplicate, an Idempotency-Key still in use, `currency_mismatch`: a plan without a price in the customer\'s billing currency; `errors` names the fields; `subscription_exists` or `trial_used` when subscribing)',
  422: 'Idempotency-Key reused with a different request body (`idempotency_mismatch`), or a charge larger than one may be (`amount_out_of_range`)',
  415: 'The request body was not sent as application/json',
  503: 'The database refused the write (`storage_unavailable`: disk full, read-only, I/O error; `reason` says which); nothing was committed, and a retry after `Retry-After` seconds with the same Idempotency-Key runs once',
  429: 'Too many requests (`rate_limited`: see `Retry-After` and `RateLimit`), or, for usage, quota exceeded (`quota_exceeded`: the plan blocks usage past its included tokens)',
};

const problem = (status: number) => ({
  description: ERROR_TEXT[status] ?? 'Error',
  content: { 'application/problem+json': { schema: resolver(problemSchema) } },
});

const TENANT_TEXT: Record<TenantRule, string> = {
  none: 'Customer-scoped keys: not available (404).',
  customer: 'Customer-scoped keys: their own customer only; another customer is 404.',
  subscription: "Customer-scoped keys: their own customer's subscriptions only; another's is 404.",
  invoice: "Customer-scoped keys: their own customer's invoices only; another's is 404.",
  payment: "Customer-scoped keys: their own customer's payments only; another's is 404.",
  api_key: "Customer-scoped keys: their own customer's keys only; another's is 404.",
  list: "Customer-scoped keys: the list is filtered to their customer; `customer_id` of another is 404.",
  body: 'Customer-scoped keys: every `customer_id` in the body must be their own; another is 404.',
};

/**
 * What every operation of a method answers besides its own responses: a body not sent as JSON is
 * 415, and a write the database refuses (a full or read-only disk) is 503.
 */
export const methodDefaults = {
  ...Object.fromEntries(['POST', 'PUT', 'PATCH'].map((method) => [method, { responses: { 415: problem(415), 503: problem(503) } }])),
  DELETE: { responses: { 503: problem(503) } },
};

/** The sentence a route's description ends with about API keys, and what a tenant may send. */
function keyText(route: RouteDoc): string | undefined {
  if (route.access === 'public') return undefined;
  if (!route.scope) return 'API keys: not available (404).';
  return [`API keys: need the \`${route.scope}\` scope.`, TENANT_TEXT[route.tenant ?? 'none'], tenantFieldsText(route)].filter(Boolean).join(' ');
}

/** What a tenant may put in the body; the rest is the operator's. */
function tenantFieldsText(route: RouteDoc): string | undefined {
  if (!route.tenantFields || (route.tenant ?? 'none') === 'none') return undefined;
  const fields = route.tenantFields.map((field) => `\`${field}\``).join(', ');
  return `Tenants (customer-scoped keys, customers' users) may send only ${fields} in the body; any other field is the operator's (403 \`forbidden\` naming each). Operators and platform-wide keys may send every field.`;
}

const ACCESS_TEXT: Record<Access, string> = {
  public: 'Open: no token needed.',
  viewer: 'Any operator token (admin, operator, viewer).',
  operator: 'Operator or admin token; viewers get 403.',
  admin: 'Admin token only.',
};

export interface RouteDoc {
  summary: string;
  tags: string[];
  access: Access;
  /** The scope an API key needs to call the route; without one, keys get 404. */
  scope?: ApiKeyScope;
  /**
   * How a tenant's (customer-scoped key's) resource is found (src/http/tenancy.ts);
   * `none` when tenants may not call it. Every route declares one (test/tenant-isolation.api.test.ts).
   */
  tenant?: TenantRule;
  /**
   * The top-level body fields a tenant may send (`x-tenant-fields`); any other is refused with
   * 403 naming it. Every route a tenant can reach that takes a JSON body declares them
   * (test/tenant-fields.api.test.ts); a route whose every field is the operator's is `tenant: 'none'`.
   */
  tenantFields?: readonly string[];
  description?: string;
  /** Success status and its body schema; `binary` names the media type of a body that is not JSON (a PDF). */
  success: { status: number; description: string; schema?: v.GenericSchema; binary?: string };
  /** Error statuses this route can answer besides 400/500 (and 401/403/429 on routes that need a token). */
  errors?: number[];
  /** A POST that accepts Idempotency-Key. */
  idempotent?: boolean;
  /**
   * An open route limited per client address (src/http/rate-limit.ts): `doc()` applies the
   * limit and documents its 429, so the document cannot miss one. Routes that need a token
   * are limited per principal on the /v1 app and list 429 already.
   */
  limit?: AddressLimited;
}

/** The setting of each per-address limit, named in the route's description. */
const LIMIT_SETTING: Record<AddressLimited, string> = {
  login: 'RATE_LIMIT_LOGIN_PER_MINUTE',
  signup: 'RATE_LIMIT_SIGNUP_PER_MINUTE',
  password_reset: 'RATE_LIMIT_PASSWORD_RESET_PER_MINUTE',
  emailed_code: 'RATE_LIMIT_EMAILED_CODE_PER_MINUTE',
};

/**
 * Documents a route for the OpenAPI document with the shared error and auth
 * vocabulary, and declares its access: what the document shows (`security`, the
 * description's last sentence, `x-access`) is what `enforceAccess` enforces. A route
 * with a `limit` is limited by the returned middleware, which runs before the route's own.
 */
export function doc(route: RouteDoc) {
  const errors = new Set([400, ...(route.access === 'public' ? [] : [401, 403, 429]), ...(route.limit ? [429] : []), ...(route.errors ?? []), ...(route.idempotent ? [409, 422] : [])]);
  const limitText = route.limit && `Limited per client address (\`${LIMIT_SETTING[route.limit]}\` requests a minute): past it, 429 with Retry-After.`;
  const responses: DescribeRouteOptions['responses'] = {
    [route.success.status]: {
      description: route.success.description,
      ...(route.success.schema ? { content: { 'application/json': { schema: resolver(route.success.schema) } } } : {}),
      ...(route.success.binary ? { content: { [route.success.binary]: { schema: { type: 'string', format: 'binary' } } } } : {}),
    },
  };
  for (const status of [...errors].sort()) responses[status] = problem(status);
  responses[500] = problem(500);
  const described = describeRoute({
    ...{ 'x-access': route.access, 'x-scope': route.scope ?? null, 'x-tenant': route.tenant ?? null, 'x-tenant-fields': route.tenantFields ?? null },
    summary: route.summary,
    tags: route.tags,
    description: [route.description, limitText, ACCESS_TEXT[route.access], keyText(route)].filter(Boolean).join('\n\n'),
    security: route.access === 'public' ? [] : [{ bearerAuth: [] }],
    ...(route.idempotent
      ? { parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY_PATTERN }, description: 'Retry-safe key: a retry with the same key and body replays the first response.' }] }
      : {}),
    responses,
  });
  const declared = access(route.access, { scope: route.scope, tenant: route.tenant, tenantFields: route.tenantFields });
  return Object.assign(route.limit ? Object.assign(limitPerAddress(route.limit), declared) : declared, described);
}
