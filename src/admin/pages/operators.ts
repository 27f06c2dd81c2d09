import { html } from 'hono/html';
import { operatorRoles } from '../../../db/schema/index.ts';
import { access } from '../../http/access.ts';
import { createOperatorInput, listOperatorsQuery, updateOperatorInput, type OperatorResource } from '../../operators/contract.ts';
import { createOperator, prepareOperator } from '../../operators/create.ts';
import { listOperators } from '../../operators/queries.ts';
import { updateOperator } from '../../operators/update.ts';
import { formCommand, formFields, parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { actionButton, badge, csrfField, page, pager, table } from '../ui.ts';
import { beforeCommand, queryFields, when } from './billing-kit.ts';

const SECTION = '/admin/operators';

/** Operators, for admins: the list, creating one, changing a role, disabling and enabling. */
export const operatorsSection: AdminSection = (app) => {
  app.get('/operators', access('admin'), async (c) => {
    const operators = await listOperators(c.get('deps').db, parseForm(listOperatorsQuery, queryFields(c)));
    const me = c.get('ctx').actor.id;
    const rows = operators.data.map((o) => [
      html`<span data-test="operator-email">${o.email}</span>`,
      html`${o.name}`,
      html`<form class="inline role" method="post" action="${SECTION}/${o.id}">${csrfField(c)}
        <select name="role" aria-label="Role of ${o.email}">${operatorRoles.map((r) => html`<option ${r === o.role ? 'selected' : ''}>${r}</option>`)}</select>
        <button type="submit" class="secondary" data-test="change-role">Change</button></form>`,
      badge(o.disabled ? 'disabled' : 'active'),
      when(o.created_at),
      o.id === me
        ? html`<span class="muted">you</span>`
        : html`${o.disabled
            ? actionButton(c, 'admin', `${SECTION}/${o.id}`, 'Enable', { fields: { disabled: 'false' }, test: 'enable' })
            : actionButton(c, 'admin', `${SECTION}/${o.id}`, 'Disable', { fields: { disabled: 'true' }, danger: true, test: 'disable' })}`,
    ]);
    return page(c, {
      title: 'Operators',
      section: SECTION,
      body: html`<style>form.role select { width:auto; }</style>
      <div class="card"><h2>New operator</h2>
        <form method="post" action="${SECTION}" class="filters" data-test="create-operator">${csrfField(c)}
          <div><label for="op-email">Email</label><input id="op-email" name="email" type="email" required></div>
          <div><label for="op-name">Name</label><input id="op-name" name="name" required></div>
          <div><label for="op-role">Role</label><select id="op-role" name="role">${operatorRoles.map((r) => html`<option ${r === 'viewer' ? 'selected' : ''}>${r}</option>`)}</select></div>
          <div><label for="op-password">Password (12+ characters)</label><input id="op-password" name="password" type="password" autocomplete="new-password" required></div>
          <div><button type="submit" data-test="create-operator-submit">Create</button></div>
        </form></div>
      <div class="card" data-test="operators">${table(['Email', 'Name', 'Role', 'Status', 'Created', ''], rows)}${pager(c, operators.next_cursor)}</div>`,
    });
  });

  app.post('/operators', access('admin'), async (c) => {
    const fields = await formFields(c);
    // Hashing is slow on purpose: done before the command's transaction, as the API does.
    const prepared = await beforeCommand(c, SECTION, () => prepareOperator(c.get('ctx'), parseForm(createOperatorInput, fields)));
    if (!prepared.ok) return prepared.response;
    return formCommand(c, SECTION, (o: OperatorResource) => `Operator ${o.email} created.`, (ctx) => createOperator(ctx, prepared.value));
  });

  app.post('/operators/:id', access('admin'), async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const patch = parseForm(updateOperatorInput, fields.disabled !== undefined ? { disabled: fields.disabled === 'true' } : { role: fields.role });
    return formCommand(c, SECTION, (o: OperatorResource) => `${o.email}: ${o.disabled ? 'disabled' : o.role}.`, (ctx) => updateOperator(ctx, id, patch));
  });
};
