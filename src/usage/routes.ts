import { Hono } from 'hono';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { problemFor } from '../http/problem.ts';
import { validate } from '../http/validate.ts';
import { subscriptionParams } from '../subscriptions/contract.ts';
import { getSubscriptionUsage } from './queries.ts';
import { recordUsage } from './record.ts';
import { MAX_EVENT_PROPERTIES, MAX_USAGE_BATCH, recordUsageInput, subscriptionUsageQuery, usageBatchResource, usagePeriodResource, type UsageBatchResource } from './contract.ts';

const tags = ['Usage'];
const quota =
  'Past the plan version\'s `included_tokens` in a period, `quota_policy` `overage` accepts and counts overage tokens, `block` refuses the record (never split). Overage is charged on the period total: round_half_up(overage_tokens × overage_price_per_1k / 1000) minor units, computed exactly and at most 10^12 (one charge\'s ceiling): a record that would take the period\'s charge past it is refused `charge_limit`.';

/** The whole batch was refused for quota: a 429 naming the subscription(s). */
function quotaRefusal(path: string) {
  return (batch: UsageBatchResource) => {
    if (!batch.results.every((r) => r.status === 'refused' && r.reason === 'quota_exceeded')) return null;
    const subs = [...new Set(batch.results.map((r) => r.subscription_id!))];
    return problemFor('quota_exceeded', `subscription ${subs.join(', ')} has used its included tokens and its plan blocks more`, path, {
      subscription_id: subs[0],
      subscription_ids: subs,
      results: batch.results,
    });
  };
}

/** /v1/usage: metered AI tokens and usage events for any meter, deduplicated by the client's record id. */
export function usageRoutes() {
  const app = new Hono<AppEnv>();
  app.post(
    '/',
    doc({
      summary: 'Record usage',
      description: `Up to ${MAX_USAGE_BATCH} records, of two shapes, mixed: a token record (\`model\`, \`tokens\`, \`occurred_at\`, optional \`token_type\` \`input\`|\`output\`|\`cached\`, a dimension of the built-in \`ai_tokens\` meter), or a usage event for any meter (\`meter\`, \`timestamp\`, \`properties\`: at most ${MAX_EVENT_PROPERTIES}, numbers or single-line strings of at most 200 characters). The meter reads an event: \`sum\`, \`max\` and \`latest\` its \`value_property\` as a whole non-negative number (meter a finer unit for fractions), \`count\` 1, \`unique_count\` 1 for a value not yet seen in the period and dimension values; its dimensions are its values of the meter's \`group_by\`. An event naming \`ai_tokens\` reads \`tokens\` and is a token record in the other shape. An event is refused \`unknown_meter\` (no such meter, or archived: \`message\` says which), \`invalid_value\` (its value property missing or not a whole non-negative number), or \`unpriced_dimension\` (the subscription's charges in force price the meter but not these dimension values, and have no default price). Each \`id\` is the client's own, unique per customer, and is counted once: the same record again is \`duplicate\`, a different record under a used id is \`conflict\` (with the first differing \`field\`: for an event \`meter\`, \`timestamp\`, \`properties\` or \`subscription_id\`). A record counts against the subscription it names (\`subscription_id\`); without one, against the customer's only live (not canceled) subscription, or, when an operator let the customer hold several, the only one whose plan meters tokens (\`included_tokens\` > 0 or \`quota_policy\` \`overage\`); several that do, and none named, is \`ambiguous_subscription\`. It counts in the period containing \`occurred_at\` (an event's \`timestamp\`; the trial is a period of its own, never billed). Either shape is refused when dated more than \`USAGE_CLOCK_SKEW_SECONDS\` ahead of the clock (\`in_future\`), before the subscription (\`before_subscription\`), in a period already billed (\`period_closed\`), or for an erased customer (\`customer_erased\`). ${quota} Each record is reported \`accepted\`, \`duplicate\`, \`conflict\` or \`refused\` (with \`reason\`). When every record is refused for quota the answer is 429 \`quota_exceeded\`. Quotas and overage are the \`ai_tokens\` meter's. Emits \`usage.recorded\` per accepted record (an event's with its \`meter\` and \`properties\`) and \`usage.quota_exceeded\` once per period.`,
      tags,
      access: 'operator',
      scope: 'usage:write',
      tenant: 'body',
      tenantFields: ['records'],
      success: { status: 200, description: 'What happened to each record', schema: usageBatchResource },
      errors: [429],
      idempotent: true,
    }),
    validate('json', recordUsageInput),
    (c) => runCommand(c, 200, (ctx) => recordUsage(ctx, c.req.valid('json').records), quotaRefusal(c.req.path)),
  );
  return app;
}

/** /v1/subscriptions/:id/usage. */
export function subscriptionUsageRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/:id/usage',
    doc({
      summary: "Get a subscription's usage",
      description: `Used, included and overage tokens and the overage charge for the current period, or the period containing \`?period_start=\` (ISO 8601). During a trial that period is the trial (\`trial: true\`): its usage is shown and never charged. ${quota} A period whose charge would still pass that ceiling (usage recorded before the limit existed, or a plan change that repriced it) answers 422 \`amount_out_of_range\` with the exact \`amount\` as a string, never a rounded float. \`meters\` shows usage so far per meter and group of dimension values, read from the period's running aggregates (never the records): each charge in force (the version's charges, its token terms as an \`ai_tokens\` charge, negotiated prices in their place) priced with a line per price, and \`charge: null\` for a meter with usage and no charge; \`usage_amount\` is the charges' sum (0 in a trial).`,
      tags: ['Subscriptions', ...tags],
      access: 'viewer',
      scope: 'usage:read',
      tenant: 'subscription',
      success: { status: 200, description: 'The usage of one period', schema: usagePeriodResource },
      errors: [404, 422],
    }),
    validate('param', subscriptionParams),
    validate('query', subscriptionUsageQuery),
    async (c) => {
      const { period_start } = c.req.valid('query');
      const at = period_start === undefined ? c.get('deps').clock.now() : Date.parse(period_start);
      return c.json(await getSubscriptionUsage(c.get('deps').db, c.req.valid('param').id, at, period_start !== undefined));
    },
  );
  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const usageMounts: Mount[] = [mount('/subscriptions', subscriptionUsageRoutes), mount('/usage', usageRoutes)];
