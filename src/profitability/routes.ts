import { Hono } from 'hono';
import { pageSchema } from '../../db/paging.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { createModelPrice } from './create-price.ts';
import { createModelPriceInput, listModelPricesQuery, listModelPriceVersionsQuery, modelPriceParams, modelPriceResource } from './contract.ts';
import { listCurrentModelPrices, listModelPriceVersions } from './price-queries.ts';

const tags = ['Profitability'];
const cost = '`cost_per_1k_micros` is millionths of a minor unit of `currency` per 1,000 tokens (0.015 cents per 1,000 tokens is 15000): model prices are fractions of a cent, which whole minor units cannot hold.';

/** /v1/model-prices: what tokens of each model cost us, in versions (operators only). */
export function modelPriceRoutes() {
  const app = new Hono<AppEnv>();

  app.post(
    '/',
    doc({ summary: 'Add a model price version', description: `Adds version n + 1 of the model's cost in \`currency\`, in force from \`effective_from\`; earlier versions never change. A usage record is costed at the version in force at its \`occurred_at\` (the latest \`effective_from\` not after it). ${cost} Emits \`model_price.created\`; audited.`, tags, access: 'admin', tenant: 'none', success: { status: 201, description: 'Created', schema: modelPriceResource }, idempotent: true }),
    validate('json', createModelPriceInput),
    (c) => runCommand(c, 201, (ctx) => createModelPrice(ctx, c.req.valid('json'))),
  );

  app.get(
    '/',
    doc({ summary: 'List current model prices', description: `The version in force now of each model and currency, by model. Filter by \`currency\`. ${cost} Pass \`next_cursor\` back as \`cursor\`.`, tags, access: 'operator', tenant: 'none', success: { status: 200, description: 'A page of model prices', schema: pageSchema(modelPriceResource) } }),
    validate('query', listModelPricesQuery),
    async (c) => c.json(await listCurrentModelPrices(c.get('deps').db, c.get('deps').clock.now(), c.req.valid('query'))),
  );

  app.get(
    '/:model',
    doc({ summary: "List a model's price versions", description: `Every version of the model's price in every currency, oldest first (URL-encode a model name holding \`/\`). ${cost} 404 when the model has no price. Pass \`next_cursor\` back as \`cursor\`.`, tags, access: 'operator', tenant: 'none', success: { status: 200, description: 'A page of model price versions', schema: pageSchema(modelPriceResource) }, errors: [404] }),
    validate('param', modelPriceParams),
    validate('query', listModelPriceVersionsQuery),
    async (c) => c.json(await listModelPriceVersions(c.get('deps').db, c.req.valid('param').model, c.req.valid('query'))),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const profitabilityMounts: Mount[] = [mount('/model-prices', modelPriceRoutes)];
