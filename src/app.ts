import { Scalar } from '@scalar/hono-api-reference';
import { Hono } from 'hono';
import { openAPIRouteHandler } from 'hono-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { corsForOrigins } from './http/cors.ts';
import { allowedMethods } from './http/allowed-methods.ts';
import { apiKeyRoutes } from './api-keys/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { customerCreditRoutes } from './billing/routes/credits.ts';
import { walletRoutes } from './wallets/routes.ts';
import { invoiceRoutes } from './billing/routes/invoices.ts';
import { invoiceDocumentRoutes } from './invoice-documents/routes.ts';
import { customerRoutes } from './customers/routes.ts';
import type { Deps } from './deps.ts';
import { deadLetterRoutes } from './dead-letters/routes.ts';
import { eventRoutes } from './events/routes.ts';
import { customerEntitlementRoutes, entitlementRoutes, subscriptionEntitlementRoutes } from './entitlements/routes.ts';
import { access, enforceAccess } from './http/access.ts';
import type { AppEnv } from './http/env.ts';
import { methodDefaults } from './http/openapi.ts';
import { idempotency } from './http/idempotency.ts';
import { problemCatalog, handleError, problemFor, sendProblem } from './http/problem.ts';
import { limitPerPrincipal } from './http/rate-limit.ts';
import { requireUtf8Body } from './http/well-formed-text.ts';
import { requestContextOptions, requestId } from './http/request-id.ts';
import { observeRequests } from './http/observe.ts';
import { metricsRoutes } from './metrics/routes.ts';
import { operatorRoutes } from './operators/routes.ts';
import { paymentRoutes } from './payments/routes.ts';
import { planRoutes } from './plans/routes.ts';
import { couponRoutes, subscriptionDiscountRoutes } from './coupons/routes.ts';
import { modelPriceRoutes } from './profitability/routes.ts';
import { suggestionRoutes } from './suggestions/routes.ts';
import { portalAccountRoutes, portalSessionRoutes } from './portal/routes.ts';
import { profileRoutes } from './profiling/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { customerSubscriptionRoutes, subscriptionRoutes } from './subscriptions/routes.ts';
import { usageThresholdRoutes } from './usage-thresholds/routes.ts';
import { subscriptionUsageRoutes, usageRoutes } from './usage/routes.ts';
import { userRoutes } from './users/routes.ts';
import { anonymousActor, createContext } from './kernel/context.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { testClockRoutes } from './test-clocks/routes.ts';
import { DomainError, type ErrorCode } from './kernel/errors.ts';
import { healthRoutes } from './http/health.ts';
import { assetRoutes } from './http/assets.ts';
import { adminError, adminNotFound } from './admin/errors.ts';
import { adminRoutes } from './admin/routes.ts';
import { adminSections } from './admin/sections.ts';
import { isAdminPath } from './admin/session.ts';

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
  v1.route('/auth', authRoutes());
  v1.route('/portal', portalSessionRoutes());
  v1.use(idempotency());
  v1.route('/portal', portalAccountRoutes());
  v1.route('/customers', customerRoutes());
  v1.route('/customers', userRoutes());
  v1.route('/customers', profileRoutes());
  v1.route('/customers', customerSubscriptionRoutes());
  v1.route('/customers', customerCreditRoutes());
  v1.route('/customers', suggestionRoutes());
  v1.route('/customers', walletRoutes());
  v1.route('/customers', webhookRoutes());
  v1.route('/customers', customerEntitlementRoutes());
  v1.route('/plans', planRoutes());
  v1.route('/coupons', couponRoutes());
  v1.route('/model-prices', modelPriceRoutes());
  v1.route('/invoices', invoiceRoutes());
  v1.route('/invoices', invoiceDocumentRoutes());
  v1.route('/payments', paymentRoutes());
  v1.route('/subscriptions', subscriptionRoutes());
  v1.route('/subscriptions', subscriptionUsageRoutes());
  v1.route('/subscriptions', subscriptionDiscountRoutes());
  v1.route('/subscriptions', usageThresholdRoutes());
  v1.route('/subscriptions', subscriptionEntitlementRoutes());
  v1.route('/entitlements', entitlementRoutes());
  v1.route('/usage', usageRoutes());
  v1.route('/operators', operatorRoutes());
  v1.route('/audit', auditRoutes());
  v1.route('/api-keys', apiKeyRoutes());
  v1.route('/dead-letters', deadLetterRoutes());
  v1.route('/reports', reportRoutes());
  v1.route('/test-clocks', testClockRoutes());
  v1.route('/', eventRoutes());
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
