import type { Context } from 'hono';
import { html } from 'hono/html';
import { customerKinds } from '../../../db/schema/index.ts';
import { onboardCustomerInput, type CustomerResource } from '../../customers/contract.ts';
import { onboardCustomer } from '../../customers/onboard.ts';
import type { AppEnv } from '../../http/env.ts';
import { DomainError, type FieldIssue } from '../../kernel/errors.ts';
import { formCommand, formFields, parseForm } from '../form.ts';
import { csrfField, page } from '../ui.ts';

/** The onboarding form's fields, in order: name, label, input type, hint. */
const FIELDS = [
  ['name', 'Name', 'text', 'The company or person'],
  ['email', 'Email', 'email', 'Also the owner user'],
  ['country', 'Country', 'text', 'ISO 3166-1 alpha-2, such as DE'],
  ['phone', 'Phone (optional)', 'tel', 'E.164, such as +4930123456'],
  ['tax_rate_bps', 'Tax rate in basis points (optional)', 'text', '1900 is 19 %'],
  ['payment_method', 'Payment method (optional)', 'text', 'A payment-method token, such as tok_ok'],
] as const;

function onboardForm(c: Context<AppEnv>, values: Record<string, string> = {}, issues: FieldIssue[] = []) {
  const issueOf = (field: string) => issues.filter((i) => i.field === field).map((i) => i.message).join('; ');
  const field = ([name, label, type, hint]: (typeof FIELDS)[number]) => {
    const issue = issueOf(name);
    return html`<label for="c-${name}">${label}</label>
      <input id="c-${name}" name="${name}" type="${type}" value="${values[name] ?? ''}" placeholder="${hint}" ${name === 'name' || name === 'email' || name === 'country' ? 'required' : ''} aria-invalid="${issue ? 'true' : 'false'}" data-test="field-${name}">
      ${issue ? html`<div class="field-error" role="alert" data-test="error-${name}">${label.replace(/ \(optional\)$/, '')} ${issue}</div>` : ''}`;
  };
  const kindIssue = issueOf('kind');
  const [first, second, ...rest] = FIELDS;
  return page(c, {
    title: 'Onboard a customer',
    section: '/admin/customers',
    body: html`<style>.field-error { color:var(--danger); font-size:.85rem; margin-top:.2rem; } input[aria-invalid=true] { border-color:var(--danger); }</style>
      <div class="card"><form method="post" action="/admin/customers/new" data-test="onboard-form" novalidate>
        ${csrfField(c)}
        ${field(first)}${field(second)}
        <label for="c-kind">Kind</label>
        <select id="c-kind" name="kind" data-test="field-kind">${customerKinds.map((k) => html`<option value="${k}" ${values.kind === k ? 'selected' : ''}>${k}</option>`)}</select>
        ${kindIssue ? html`<div class="field-error" role="alert" data-test="error-kind">Kind ${kindIssue}</div>` : ''}
        ${rest.map(field)}
        <p><button type="submit" data-test="onboard">Onboard</button> <a href="/admin/customers">Cancel</a></p>
      </form></div>`,
  });
}

/** The empty onboarding form (operators and admins). */
export const customerNewPage = (c: Context<AppEnv>) => onboardForm(c);

/**
 * Onboards a customer from the form with the API's own schema and verb, then opens its
 * page. A field the schema refuses shows its message beside the field, values kept; a
 * refusal of the verb (an email already taken) comes back as the page's error.
 */
export async function onboardFromForm(c: Context<AppEnv>) {
  const values = await formFields(c);
  const { tax_rate_bps, ...rest } = values;
  // The form sends text; the schema wants the number a JSON body would carry.
  const shaped = { ...rest, ...(tax_rate_bps === undefined ? {} : { tax_rate_bps: /^-?\d+$/.test(tax_rate_bps) ? Number(tax_rate_bps) : tax_rate_bps }) };
  let input;
  try {
    input = parseForm(onboardCustomerInput, shaped);
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'validation') throw error;
    // The form again with the reasons: a page that worked (200), not a failed load.
    return onboardForm(c, values, error.details.issues ?? []);
  }
  return formCommand<CustomerResource>(
    c,
    (customer) => `/admin/customers/${customer.id}`,
    (customer) => `Onboarded ${customer.name}.`,
    (ctx) => onboardCustomer(ctx, input),
  );
}
