import { access } from '../../http/access.ts';
import type { TxCtx } from '../../kernel/context.ts';
import { formatMoney, money } from '../../kernel/money.ts';
import { negotiatePricesInput, type PriceOverrideResource } from '../../price-overrides/contract.ts';
import { negotiatePrices } from '../../price-overrides/negotiate.ts';
import { attachAddOn, removeAddOn } from '../../subscriptions/add-ons.ts';
import { changeSeats } from '../../subscriptions/change-seats.ts';
import { attachAddOnInput, changeSeatsInput, type AddOnResource, type SubscriptionResource } from '../../subscriptions/contract.ts';
import { getSubscription, listPendingAdjustments } from '../../subscriptions/queries.ts';
import { formCommand, formFields, parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { numbersIn } from './billing-kit.ts';
import { chargesFrom } from './charges.ts';
import { prorationText } from './subscription-pricing.ts';

/**
 * The pricing commands of a subscription's page, each through the API's verb and schema
 * (formCommand: one transaction, then back to the page with a notice or the refusal's messages
 * by field). A change that prorates says so: the proration lines it added, as
 * `GET /v1/subscriptions/:id/adjustments` lists them.
 */

interface Prorated<T> {
  result: T;
  /** The lines in words (src/admin/pages/subscription-pricing.ts `prorationText`). */
  proration: string;
}

/** Runs `verb` and returns what it returned with the proration lines it stored (those waiting now that did not before). */
async function withProration<T>(ctx: TxCtx, id: string, verb: () => Promise<T>): Promise<Prorated<T>> {
  const before = new Set((await listPendingAdjustments(ctx.tx, id)).map((a) => a.id));
  const result = await verb();
  const added = (await listPendingAdjustments(ctx.tx, id)).filter((a) => !before.has(a.id));
  return { result, proration: prorationText(added) };
}

export const subscriptionPricingSection: AdminSection = (app) => {
  app.post('/subscriptions/:id/seats', access('operator'), async (c) => {
    const id = c.req.param('id');
    const shaped = numbersIn(await formFields(c), ['seats']);
    return formCommand<Prorated<SubscriptionResource> & { from: number }>(c, `/admin/subscriptions/${id}`, ({ from, result, proration }) => (from === result.seats ? `Seats unchanged: ${from}.` : `Seats ${from} → ${result.seats}. ${proration}`), async (ctx) => {
      const input = parseForm(changeSeatsInput, shaped);
      const from = (await getSubscription(ctx.tx, id)).seats;
      return { from, ...(await withProration(ctx, id, () => changeSeats(ctx, id, input))) };
    });
  });

  app.post('/subscriptions/:id/add-ons', access('operator'), async (c) => {
    const id = c.req.param('id');
    const shaped = numbersIn(await formFields(c), ['unit_amount', 'quantity']);
    return formCommand<Prorated<AddOnResource>>(c, `/admin/subscriptions/${id}`, ({ result, proration }) => `Add-on ${result.code} attached: ${result.quantity} × ${formatMoney(money(result.unit_amount, result.currency))} per period. ${proration}`, (ctx) =>
      withProration(ctx, id, () => attachAddOn(ctx, id, parseForm(attachAddOnInput, shaped))),
    );
  });

  app.post('/subscriptions/:id/add-ons/:addOnId/remove', access('operator'), (c) => {
    const id = c.req.param('id');
    return formCommand<Prorated<AddOnResource>>(c, `/admin/subscriptions/${id}`, ({ result, proration }) => `Add-on ${result.code} removed. ${proration}`, (ctx) => withProration(ctx, id, () => removeAddOn(ctx, id, c.req.param('addOnId'))));
  });

  app.post('/subscriptions/:id/prices', access('operator'), async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const shaped = numbersIn(fields, ['seat_price']);
    // An empty seat price is the plan's (null), as in the API; an empty charges box is no charges.
    shaped.seat_price = fields.seat_price === undefined ? null : shaped.seat_price;
    return formCommand<PriceOverrideResource>(c, `/admin/subscriptions/${id}`, (deal) => `Negotiated prices v${deal.version} in force.`, (ctx) => {
      shaped.charges = fields.charges === undefined ? [] : chargesFrom(fields.charges);
      return negotiatePrices(ctx, id, parseForm(negotiatePricesInput, shaped));
    });
  });
};
