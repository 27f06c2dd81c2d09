import { Scalar } from '@scalar/hono-api-reference';
import { Hono } from 'hono';
import { openAPIRouteHandler } from 'hono-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { corsForOrigins } from './http/cors.ts';
import { allowedMethods } from './http/allowed-methods.ts';
import { apiKeyMounts } from './api-keys/routes.ts';
import { auditMounts } from './audit/routes.ts';
import { authMounts } from './auth/routes.ts';
import { billingMounts } from './billing/routes/mounts.ts';
import { walletMounts } from './wallets/routes.ts';
import { invoiceDocumentMounts } from './invoice-documents/routes.ts';
import { customerMounts } from './customers/routes.ts';
import type { Deps } from './deps.ts';
import { deadLetterMounts } from './dead-letters/routes.ts';
import { eventMounts } from './events/routes.ts';
import { entitlementMounts } from './entitlements/routes.ts';
import { access, enforceAccess } from './http/access.ts';
import type { AppEnv } from './http/env.ts';
import type { Mount } from './http/mount.ts';
import { methodDefaults } from './http/openapi.ts';
import { idempotency } from './http/idempotency.ts';
import { problemCatalog, handleError, problemFor, sendProblem } from './http/problem.ts';
import { limitPerPrincipal } from './http/rate-limit.ts';
import { requireUtf8Body } from './http/well-formed-text.ts';
import { requestContextOptions, requestId } from './http/request-id.ts';
import { observeRequests } from './http/observe.ts';
import { metricsRoutes } from './metrics/routes.ts';
import { operatorMounts } from './operators/routes.ts';
import { paymentMounts } from './payments/routes.ts';
import { planMounts } from './plans/routes.ts';
import { priceOverrideMounts } from './price-overrides/routes.ts';
import { meterMounts } from './meters/routes.ts';
import { couponMounts } from './coupons/routes.ts';
import { profitabilityMounts } from './profitability/routes.ts';
import { suggestionMounts } from './suggestions/routes.ts';
import { portalMounts } from './portal/routes.ts';
import { profilingMounts } from './profiling/routes.ts';
import { reportMounts } from './reports/routes.ts';
import { subscriptionMounts } from './subscriptions/routes.ts';
import { usageThresholdMounts } from './usage-thresholds/routes.ts';
import { usageMounts } from './usage/routes.ts';
import { userMounts } from './users/routes.ts';
import { anonymousActor, createContext } from './kernel/context.ts';
import { webhookMounts } from './webhooks/routes.ts';
import { testClockMounts } from './test-clocks/routes.ts';
import { DomainError, type ErrorCode } from './kernel/errors.ts';
import { healthRoutes } from './http/health.ts';
import { assetRoutes } from './http/assets.ts';
import { adminError, adminNotFound } from './admin/errors.ts';
import { adminRoutes } from './admin/routes.ts';
import { adminSections } from './admin/sections.ts';
import { isAdminPath } from './admin/session.ts';

/**
 * Every domain's routes under /v1, as each domain's routes.ts declares them: adding a
 * domain's routes is one import and one entry here. Mounted in this order (their paths
 * never overlap, so the order only orders the OpenAPI document).
 */
export const domainMounts: readonly Mount[] = [
  ...authMounts,
  ...portalMounts,
  ...customerMounts,
  ...userMounts,
  ...profilingMounts,
  ...subscriptionMounts,
  ...billingMounts,
  ...suggestionMounts,
  ...walletMounts,
  ...webhookMounts,
  ...entitlementMounts,
  ...planMounts,
  ...priceOverrideMounts,
  ...meterMounts,
  ...couponMounts,
  ...profitabilityMounts,
  ...invoiceDocumentMounts,
  ...paymentMounts,
  ...usageMounts,
  ...usageThresholdMounts,
  ...operatorMounts,
  ...auditMounts,
  ...apiKeyMounts,
  ...deadLetterMounts,
  ...reportMounts,
  ...testClockMounts,
  ...eventMounts,
];

/** Builds the HTTP API over the given dependencies. No I/O happens here. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.onError((error, c) => (isAdminPath(c.req.path) ? adminError(error, c) : handleError(error, c)));
  const methodsOf = allowedMethods(() => app.routes);
  app.notFound(function noRoute(c) {
    if (isAdminPath(c.req.path) && c.req.method === 'GET') return adminNotFound(c);
    const allowed = methodsOf(c.req.path);
    if (allowed.length === 0) return sendProblem(c, problemFor('not_found', `no route for ${c.req.method} ${c.req.path}`, c.req.path));
    c.header('Allow', allowed.join(', '));
    return sendProblem(c, problemFor('method_not_allowed', `${c.req.path} answers ${allowed.join(', ')}, not ${c.req.method}`, c.req.path, { allowed }));
  });

  app.use(requestId());
  app.use(observeRequests({ logger: deps.logger, metrics: deps.metrics }));
  // On every response; a header a page sets itself (the dashboard's CSP and Referrer-Policy) is kept.
  app.use(secureHeaders({ overwrite: false }));
  // Before authentication: a preflight carries no token.
  app.use('/v1/*', corsForOrigins(deps.config.corsOrigins));
  app.use(
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: (c) => sendProblem(c as never, problemFor('payload_too_large', 'the request body is larger than 1 MiB', c.req.path, { errors: [{ field: 'body', message: 'must be at most 1 MiB' }] })),
    }),
  );
  // Before anything reads the body (tenancy, idempotency, validation): they read it as text.
  app.use(requireUtf8Body());
  app.use(async function provideContext(c, next) {
    c.set('deps', deps);
    c.set('ctx', createContext(deps, anonymousActor, requestContextOptions(c)));
    await next();
  });
  // Each route declares its access once (`doc({ access })` or `access()`); this enforces it.
  app.use(enforceAccess());

  app.route('/', healthRoutes());
  app.route('/', metricsRoutes());
  app.get('/problems/:code', access('public'), (c) => {
    const code = c.req.param('code') as ErrorCode;
    if (!Object.hasOwn(problemCatalog, code)) throw new DomainError('not_found', `no problem type ${code}`);
    return c.json({ type: `/problems/${code}`, code, ...problemCatalog[code] });
  });

  const v1 = new Hono<AppEnv>();
  // After enforceAccess has authenticated the caller, before anything else of the request.
  v1.use(limitPerPrincipal());
  // Login and logout are no commands to replay: they come before Idempotency-Key handling.
  for (const m of domainMounts) if (m.beforeIdempotency) m.attach(v1);
  v1.use(idempotency());
  for (const m of domainMounts) if (!m.beforeIdempotency) m.attach(v1);
  app.route('/v1', v1);

  app.get(
    '/openapi.json',
    access('public'),
    openAPIRouteHandler(app, {
      documentation: {
        openapi: '3.1.0',
        info: {
          title: 'Subscription Platform API',
          version: '0.1.0',
          description: 'Customers, their users and lifecycle, plans, subscriptions, domain events and workers. Errors are RFC 9457 problem+json. Every POST accepts an Idempotency-Key.',
        },
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT, or an API key sk_live_…' } } },
      },
      defaultOptions: methodDefaults,
      exclude: ['/openapi.json', '/docs', '/metrics', '/problems/{code}', '/assets/{name}', /^\/admin/],
    }),
  );
  app.route('/assets', assetRoutes(deps.assets));
  app.route('/admin', adminRoutes(adminSections));
  // Scalar from our own /assets, without its web fonts: the docs work behind a firewall.
  app.get('/docs', access('public'), Scalar({ url: '/openapi.json', pageTitle: 'Subscription Platform API', cdn: '/assets/scalar.js', withDefaultFonts: false }));
  return app;
}

export type App = ReturnType<typeof createApp>;
