import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { overviewResource } from './contract.ts';
import { getOverview } from './queries.ts';
import { validate } from '../http/validate.ts';
import { getProfitability } from '../profitability/report.ts';
import { profitabilityQuery, profitabilityResource } from '../profitability/report-contract.ts';

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

  app.get(
    '/profitability',
    doc({
      summary: 'Profitability: margins per customer, plan and month',
      description:
        'Per currency (no conversion), over the whole UTC months `from`..`to` (YYYY-MM, at most 36): revenue − token cost = margin, per customer and per plan (each ranked by margin, highest first) and per month. **Revenue**: every line (fees, prorations, overage) of finalized invoices that are `open`, `paid` or `uncollectible`, before tax and credit, in the invoice currency, counted in the month of the line\'s `period_start`; void invoices and drafts are excluded. **Token cost**: each usage record\'s tokens × the model\'s `cost_per_1k_micros` in force at its `occurred_at`, in the currency of its subscription\'s plan, counted in the month of `occurred_at` (trial usage included), kept exact and rounded half-up once per customer, plan and month. A model with no price there costs 0 and is listed in `unpriced_models`. Usage and invoices count toward the subscription\'s current plan. **Flags**: a plan is `under_cost` (and in `flagged_plans`) when its token cost over the window exceeds price × subscription-periods + its overage revenue, i.e. the average token cost per subscription-period is above the price plus the average overage revenue; subscription-periods are the distinct subscription periods with a fee line or usage in the window, the price that of the plan\'s current version.',
      tags: ['Reports'],
      access: 'operator', tenant: 'none',
      success: { status: 200, description: 'The report', schema: profitabilityResource },
    }),
    validate('query', profitabilityQuery),
    async (c) => c.json(await getProfitability(c.get('deps').db, c.req.valid('query'), c.get('deps').clock.now())),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const reportMounts: Mount[] = [mount('/reports', reportRoutes)];
