import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { overviewResource } from './contract.ts';
import { getOverview } from './queries.ts';

/** /v1/reports: figures computed over the platform's data for operators. */
export function reportRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/overview',
    doc({
      summary: 'Platform overview',
      description:
        'Per currency: MRR (active and past_due subscriptions at their plan version\'s price, a yearly price counted as round_half_up(price / 12)), its movement this UTC month and in each of the last 6 (new, expansion, contraction, churn as magnitudes; net = new + expansion − contraction − churn), what paid invoices collected in each of the last 12 months, and open invoices with the overdue part (an invoice is due at finalization, when it is charged: it is overdue once that charge failed or nothing collects it any more). Also live subscriptions by status, events per minute by type over the last hour, consumer groups (as /v1/consumers) and the outbox backlog.',
      tags: ['Reports'],
      access: 'viewer', tenant: 'none',
      success: { status: 200, description: 'The overview', schema: overviewResource },
    }),
    async (c) => {
      const deps = c.get('deps');
      return c.json(await getOverview({ db: deps.db, bus: deps.bus, now: deps.clock.now() }));
    },
  );

  return app;
}
