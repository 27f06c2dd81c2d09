import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { operatorRoles, type ApiKeyScope } from '../../db/schema/index.ts';
import { tenantOf, type Actor } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { authenticate } from './auth.ts';
import type { AppEnv } from './env.ts';
import { enforceTenant, enforceTenantFields, type TenantRule } from './tenancy.ts';

/** Who may call a route: anyone (`public`), or an operator role and the roles above it. */
export type Access = 'public' | (typeof operatorRoles)[number];
/** The access levels from least to most privileged (the operator roles reversed); each level admits the roles above it. */
export const ACCESS_LEVELS: readonly Access[] = ['public', ...[...operatorRoles].reverse()];

const ACCESS = Symbol('access');
const SCOPE = Symbol('scope');
const TENANT = Symbol('tenant');
const TENANT_FIELDS = Symbol('tenantFields');
const ADMITS = Symbol('admits');
type Declared = { [ACCESS]?: Access; [SCOPE]?: ApiKeyScope; [TENANT]?: TenantRule; [TENANT_FIELDS]?: readonly string[]; [ADMITS]?: Principals['admits'] };

/** What a route declares besides its access: the scope a key needs, and how a tenant's resource is found. */
export interface Principals {
  /** The scope an API key needs; without one no key may call the route (404). */
  scope?: ApiKeyScope | undefined;
  /** How the route finds its resource's customer (src/http/tenancy.ts); `none`: tenants may not call it. */
  tenant?: TenantRule | undefined;
  /**
   * The top-level fields of the JSON body a tenant may send; any other is the operator's
   * (403 naming each). Undeclared: none (fail closed). Operators and platform-wide keys may
   * send every field the body's schema takes.
   */
  tenantFields?: readonly string[] | undefined;
  /**
   * A static credential that admits the caller without a token (a scraper's METRICS_TOKEN on
   * GET /metrics); callers without it are checked as the declared access says.
   */
  admits?: ((c: Context<AppEnv>) => boolean) | undefined;
}

const REFUSAL: Record<Exclude<Access, 'public'>, string> = {
  viewer: 'this needs an operator token',
  operator: 'this needs an operator or admin role; viewers have read-only access',
  admin: 'this needs the admin role',
};

/**
 * Declares who may call a route. The returned middleware does nothing itself:
 * `enforceAccess` reads the declaration of the route a request matched, and
 * `doc()` shows it in the OpenAPI document. Routes documented with `doc()`
 * declare through it; others (health, docs) put `access('public')` first.
 */
export function access(level: Access, principals: Principals = {}): MiddlewareHandler<AppEnv> {
  const declared = async function declaredAccess(_c: Context<AppEnv>, next: () => Promise<void>) {
    await next();
  };
  return Object.assign(declared, { [ACCESS]: level, [SCOPE]: principals.scope, [TENANT]: principals.tenant, [TENANT_FIELDS]: principals.tenantFields, [ADMITS]: principals.admits });
}

/** The access a route's handlers declare, or undefined when none does. */
export function declaredAccess(handlers: readonly unknown[]): Access | undefined {
  for (const handler of handlers) {
    const level = (handler as Declared)[ACCESS];
    if (level) return level;
  }
  return undefined;
}

/** The scope a route's handlers declare for API keys, or undefined when keys may not call it. */
export function declaredScope(handlers: readonly unknown[]): ApiKeyScope | undefined {
  return handlers.map((handler) => (handler as Declared)[SCOPE]).find((scope) => scope !== undefined);
}

/** The tenant rule a route's handlers declare, or undefined when none does (the isolation walk refuses such a route). */
export function declaredTenant(handlers: readonly unknown[]): TenantRule | undefined {
  return handlers.map((handler) => (handler as Declared)[TENANT]).find((rule) => rule !== undefined);
}

/** The body fields a route's handlers let a tenant send, or undefined when none declares them (tenants may then send none). */
export function declaredTenantFields(handlers: readonly unknown[]): readonly string[] | undefined {
  return handlers.map((handler) => (handler as Declared)[TENANT_FIELDS]).find((fields) => fields !== undefined);
}

interface Declaration extends Principals {
  access: Access;
  /** The matched route's path pattern (`/v1/customers/:id`). */
  pattern: string;
}

/**
 * What the route this request matched declares: the first declaration among its
 * handlers. A matched route that declares no access is treated as admin-only (fail
 * closed; the route-roles test refuses such a route), one without scope or tenant
 * rule as closed to keys and tenants. A request no route answers needs nothing: it
 * gets its 404 or 405.
 */
function declarationOf(c: Context<AppEnv>): Declaration {
  const endpoints = matchedRoutes(c).filter((route) => route.method !== 'ALL');
  if (endpoints.length === 0) return { access: 'public', pattern: c.req.path };
  const handlers = endpoints.map((route) => route.handler);
  const admits = handlers.map((handler) => (handler as Declared)[ADMITS]).find((check) => check !== undefined);
  return {
    access: declaredAccess(handlers) ?? 'admin',
    scope: declaredScope(handlers),
    tenant: declaredTenant(handlers),
    tenantFields: declaredTenantFields(handlers),
    admits,
    pattern: endpoints[0]!.path,
  };
}

/**
 * A program (API key) or a customer's user: scopes instead of roles, and a tenant
 * confined to its customer and to the body fields the route lets it send. A route no
 * key may call answers 404, as a missing route would; a key without the route's scope
 * 403 naming it; a tenant's body with a field only an operator may set 403 naming each.
 */
async function enforcePrincipal(c: Context<AppEnv>, actor: Actor, route: Declaration): Promise<void> {
  if (route.scope === undefined) throw new DomainError('not_found', `no route for ${c.req.method} ${c.req.path}`);
  if (!actor.scopes?.includes(route.scope)) throw new DomainError('forbidden', `this needs the scope ${route.scope}`, { scope: route.scope });
  const tenant = tenantOf(actor);
  if (tenant === undefined) return;
  await enforceTenant(c, tenant, route.tenant, route.pattern);
  await enforceTenantFields(c, route.tenantFields ?? []);
}

/**
 * Enforces each route's declared access before anything else of the request
 * runs (idempotency, validation): public routes need no token, the others a
 * valid one (401) whose operator's role reaches the declared level (403), or an
 * API key with the route's scope (403) confined to its customer (404) and, for
 * a tenant, to the body fields the route lets it send (403).
 */
export function enforceAccess(): MiddlewareHandler<AppEnv> {
  return async function enforceAccessMiddleware(c, next) {
    const route = declarationOf(c);
    const level = route.access;
    if (level !== 'public' && !route.admits?.(c)) {
      const actor = await authenticate(c);
      if (actor.kind === 'api_key' || actor.kind === 'user') await enforcePrincipal(c, actor, route);
      else if (ACCESS_LEVELS.indexOf(actor.role as Access) < ACCESS_LEVELS.indexOf(level)) throw new DomainError('forbidden', REFUSAL[level]);
    }
    await next();
  };
}
