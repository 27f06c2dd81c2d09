import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { nextSegment, nextStatus } from './lifecycle.ts';
import { onClockOf } from './clock.ts';
import { loadCustomer, saveCustomer } from './load.ts';
import { toCustomerResource, toCustomerSnapshot, type CustomerRow } from './present.ts';

function refuse(row: CustomerRow, transition: string): never {
  throw new DomainError('invalid_transition', `cannot ${transition} a customer that is ${row.status}`, {
    current_status: row.status,
    transition,
  });
}

/** Moves a customer to the status a transition leads to, or refuses with invalid_transition. */
function changeStatus(ctx: Ctx, id: string, transition: 'activate' | 'deactivate', type: 'customer.activated' | 'customer.deactivated') {
  return withTransaction(ctx, async (outer) => {
    const current = await loadCustomer(outer.tx, id);
    // A sandbox customer changes at its test clock's time (src/customers/clock.ts).
    const ctx = await onClockOf(outer, current);
    const status = nextStatus(current.status, transition) ?? refuse(current, transition);
    const row = await saveCustomer(ctx, current, { status });
    await emit(ctx, [{ type, subject: id, data: { customer: toCustomerSnapshot(row), previous_status: current.status } }]);
    await recordAudit(ctx, { action: `customer.${transition}`, targetType: 'customer', targetId: id });
    return toCustomerResource(row);
  });
}

/** onboarded|deactivated → active. Emits `customer.activated`. */
export const activateCustomer = (ctx: Ctx, id: string) => changeStatus(ctx, id, 'activate', 'customer.activated');

/** active → deactivated. Emits `customer.deactivated`. */
export const deactivateCustomer = (ctx: Ctx, id: string) => changeStatus(ctx, id, 'deactivate', 'customer.deactivated');

/** Moves an active customer's segment one step up. Emits `customer.promoted`. */
export function promoteCustomer(ctx: Ctx, id: string, reason = 'promoted by an operator') {
  return withTransaction(ctx, async (outer) => {
    const current = await loadCustomer(outer.tx, id);
    const ctx = await onClockOf(outer, current);
    if (!nextStatus(current.status, 'promote')) refuse(current, 'promote');
    const segment = nextSegment(current.segment);
    if (!segment) throw new DomainError('invalid_transition', 'the customer is already in the top segment (platinum)', { segment: current.segment, transition: 'promote' });
    const row = await saveCustomer(ctx, current, { segment });
    await emit(ctx, [{ type: 'customer.promoted', subject: id, data: { customer: toCustomerSnapshot(row), from: current.segment, to: segment, reason } }]);
    await recordAudit(ctx, { action: 'customer.promote', targetType: 'customer', targetId: id, data: { from: current.segment, to: segment, reason } });
    return toCustomerResource(row);
  });
}
