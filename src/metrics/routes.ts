import { Hono, type Context } from 'hono';
import { access } from '../http/access.ts';
import type { AppEnv } from '../http/env.ts';
import { readGroups, readOutbox } from './queues.ts';

/** Compares in time independent of where the strings differ. */
function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/** Whether the caller sent the configured METRICS_TOKEN as its bearer token. */
function hasMetricsToken(c: Context<AppEnv>): boolean {
  const expected = c.get('deps').metricsToken;
  const sent = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
  return expected !== undefined && sent !== undefined && sameSecret(sent, expected);
}

/**
 * `GET /metrics`: the Prometheus exposition, with the bus's group gauges and the outbox's
 * depth read at scrape time. Any operator token, or METRICS_TOKEN; no API key or portal user.
 */
export function metricsRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/metrics', access('viewer', { tenant: 'none', admits: hasMetricsToken }), async (c) => {
    const { metrics, bus, db, clock } = c.get('deps');
    const [groups, outbox] = await Promise.all([readGroups(bus), readOutbox(db, clock)]);
    metrics.queues(groups, outbox);
    const exposition = await metrics.expose();
    if (!exposition) return c.text('# metrics are not collected on this runtime\n', 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    return c.body(exposition.body, 200, { 'Content-Type': exposition.contentType });
  });
  return app;
}
