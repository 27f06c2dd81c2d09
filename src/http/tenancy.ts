import type { Context } from 'hono';
import { DomainError, notFound, validationError } from '../kernel/errors.ts';
import { ownedKinds, ownerOf, type OwnedKind } from '../tenancy/owners.ts';
import type { AppEnv } from './env.ts';
import { undecodableParams } from './well-formed-text.ts';

/**
 * How a route finds the customer its resource belongs to, so a tenant (a
 * customer-scoped key, or a customer's user) reaches its own customer only:
 * - `customer`: the path's `:id` is the customer;
 * - `subscription`, `invoice`, `payment`, `api_key`: the path's `:id` is one, owned by a customer;
 * - `list`: a list filtered by `customer_id`, forced to the tenant's;
 * - `body`: every `customer_id` in the JSON body (at the top and in its arrays) must be the tenant;
 * - `none`: tenants may not call the route.
 * Another customer's resource answers 404 as if it did not exist (a 403 would confirm it does).
 */
export const TENANT_RULES = ['none', 'customer', ...ownedKinds, 'list', 'body'] as const;
export type TenantRule = (typeof TENANT_RULES)[number];

const LABEL: Record<OwnedKind, string> = { subscription: 'Subscription', invoice: 'Invoice', payment: 'Payment', api_key: 'API key' };

/** The path parameters of `pattern` (`/v1/customers/:id`) in `path`; the app's patterns are plain segments. */
export function pathParams(pattern: string, path: string): Record<string, string> {
  const names = pattern.split('/');
  const values = path.split('/');
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    if (name.startsWith(':') && values[i] !== undefined) params[name.slice(1)] = decodeURIComponent(values[i]!);
  });
  return params;
}

/** Every string `customer_id` at the top of a JSON body and in the objects of its top-level arrays. */
function customerIdsIn(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const ids: string[] = [];
  const collect = (value: unknown) => {
    const id = (value as { customer_id?: unknown } | null)?.customer_id;
    if (typeof id === 'string') ids.push(id);
  };
  collect(body);
  for (const value of Object.values(body)) if (Array.isArray(value)) value.forEach(collect);
  return ids;
}

/** The request's body parsed as JSON, or undefined when there is none or it is not JSON (validation answers it). */
async function jsonBodyOf(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Confines a request of a tenant to its customer by the route's rule; throws a 404
 * `not_found` for anything else. `pattern` is the path of the route it matched.
 */
export async function enforceTenant(c: Context<AppEnv>, tenant: string, rule: TenantRule | undefined, pattern: string): Promise<void> {
  const { db } = c.get('deps');
  const id = pathParams(pattern, c.req.path).id ?? '';
  switch (rule) {
    case 'customer':
      if (id !== tenant) throw notFound('Customer', id);
      return;
    case 'subscription':
    case 'invoice':
    case 'payment':
    case 'api_key':
      if ((await ownerOf(db, rule, id)) !== tenant) throw notFound(LABEL[rule], id);
      return;
    case 'list': {
      const asked = c.req.query('customer_id');
      if (asked !== undefined && asked !== '' && asked !== tenant) throw notFound('Customer', asked);
      // Rebuilding the query would turn a value that is not UTF-8 into U+FFFD before validation sees it: refuse it here.
      const undecodable = undecodableParams(c.req.url, undefined, 'query');
      if (undecodable.length > 0) throw validationError(undecodable);
      const url = new URL(c.req.url);
      url.searchParams.set('customer_id', tenant);
      c.req.raw = new Request(url, { method: c.req.method, headers: c.req.raw.headers });
      return;
    }
    case 'body': {
      // Not JSON: validation answers it, and no customer is reached.
      const other = customerIdsIn(await jsonBodyOf(c)).find((customerId) => customerId !== tenant);
      if (other !== undefined) throw notFound('Customer', other);
      return;
    }
    default:
      // `none` or undeclared: the route is not for tenants, and says so as a missing route would.
      throw new DomainError('not_found', `no route for ${c.req.method} ${c.req.path}`);
  }
}

/** What a tenant is told for each field it may not send. */
export const OPERATOR_FIELD = 'only an operator may set this';

/**
 * Refuses a tenant's JSON body that holds a top-level field outside `allowed` (the
 * route's `tenantFields`): what a customer owes and how it is collected (tax, prices,
 * minimum spend, trials, coupons, currency) are the operator's to set. A 403 `forbidden`
 * names every such field, before anything of the request runs. A body that is not a JSON
 * object is left to validation.
 */
export async function enforceTenantFields(c: Context<AppEnv>, allowed: readonly string[]): Promise<void> {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return;
  const body = await jsonBodyOf(c);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const refused = Object.keys(body).filter((field) => !allowed.includes(field));
  if (refused.length === 0) return;
  throw new DomainError('forbidden', `only an operator may set ${refused.join(', ')}`, {
    issues: refused.map((field) => ({ field, message: OPERATOR_FIELD })),
  });
}
