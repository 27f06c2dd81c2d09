import { Hono } from 'hono';
import { pageSchema } from '../../db/paging.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { mount, type Mount } from '../http/mount.ts';
import { doc } from '../http/openapi.ts';
import { validate } from '../http/validate.ts';
import { listPriceOverrideVersionsQuery, negotiatePricesInput, priceOverrideParams, priceOverrideResource } from './contract.ts';
import { negotiatePrices } from './negotiate.ts';
import { getPricesInForce, listPriceOverrideVersions } from './queries.ts';

const tags = ['Subscriptions', 'Pricing'];
const deal =
  "Negotiated prices (a deal) are versioned like plan terms: each change is version n+1 and no version ever changes. Each of `charges` (one per meter, at most 20, priced in the subscription's currency) replaces the plan version's charge of its meter or adds one; `seat_price` (null: the plan's) replaces the seat price. Billing prices usage and seats with the version in force.";

/** /v1/subscriptions/:id/prices: a subscription's negotiated prices. */
export function priceOverrideRoutes() {
  const app = new Hono<AppEnv>();

  app.put(
    '/:id/prices',
    doc({
      summary: "Negotiate a subscription's prices",
      description: `Writes the next version of the subscription's negotiated prices; the body is the whole deal. Every issue is named at once (400), against the meters and the subscription's currency, and nothing is saved then. A body equal to the version in force writes nothing and answers it (so a retry is harmless). \`{ "charges": [], "seat_price": null }\` ends the deal (a new, empty version). A canceled subscription is a 409. ${deal} Emits \`subscription.prices_negotiated\`; audited.`,
      tags,
      access: 'operator',
      // Never a tenant's: a customer's own key or user could set its own prices.
      tenant: 'none',
      success: { status: 200, description: 'The version in force', schema: priceOverrideResource },
      errors: [404, 409],
    }),
    validate('param', priceOverrideParams),
    validate('json', negotiatePricesInput),
    (c) => runCommand(c, 200, (ctx) => negotiatePrices(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.get(
    '/:id/prices',
    doc({
      summary: "Get a subscription's negotiated prices",
      description: `The version in force, with \`effective_charges\`: the charges the subscription is billed with (the plan version's, its token terms as a charge on \`ai_tokens\`, with the negotiated ones in place). 404 \`not_found\` when no deal was ever made. ${deal}`,
      tags,
      access: 'viewer',
      scope: 'subscriptions:read',
      tenant: 'subscription',
      success: { status: 200, description: 'The negotiated prices in force', schema: priceOverrideResource },
      errors: [404],
    }),
    validate('param', priceOverrideParams),
    async (c) => c.json(await getPricesInForce(c.get('deps').db, c.req.valid('param').id)),
  );

  app.get(
    '/:id/prices/versions',
    doc({
      summary: "List a subscription's negotiated price versions",
      description: `Every version, newest first. Pass \`next_cursor\` back as \`cursor\`. ${deal}`,
      tags,
      access: 'viewer',
      scope: 'subscriptions:read',
      tenant: 'subscription',
      success: { status: 200, description: 'A page of negotiated price versions', schema: pageSchema(priceOverrideResource) },
      errors: [404],
    }),
    validate('param', priceOverrideParams),
    validate('query', listPriceOverrideVersionsQuery),
    async (c) => c.json(await listPriceOverrideVersions(c.get('deps').db, c.req.valid('param').id, c.req.valid('query'))),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const priceOverrideMounts: Mount[] = [mount('/subscriptions', priceOverrideRoutes)];
