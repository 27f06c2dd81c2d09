import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { onClockOf } from './clock.ts';
import { assertEmailFree, loadCustomer, rethrowDuplicateEmail, saveCustomer } from './load.ts';
import { toCustomerResource, toCustomerSnapshot } from './present.ts';
import type { UpdateCustomerInput } from './contract.ts';

const COLUMN = { name: 'name', email: 'email', kind: 'kind', country: 'country', phone: 'phone', metadata: 'metadata', tax_rate_bps: 'taxRateBps', payment_method: 'paymentMethod', max_subscriptions: 'maxSubscriptions' } as const;

/**
 * Changes a customer's details; emits `customer.updated` naming the changed fields (none: no event).
 * Which fields a tenant may send is the route's declaration (`tenantFields`), enforced before this runs.
 */
export function updateCustomer(ctx: Ctx, id: string, patch: UpdateCustomerInput) {
  return withTransaction(ctx, async (outer) => {
    const current = await loadCustomer(outer.tx, id);
    // A sandbox customer changes at its test clock's time (src/customers/clock.ts).
    const ctx = await onClockOf(outer, current);
    if (current.status === 'erased') throw new DomainError('invalid_transition', `customer ${id} is erased; it cannot change`, { current_status: current.status });

    const changes: Partial<typeof current> = {};
    for (const [field, column] of Object.entries(COLUMN) as [keyof UpdateCustomerInput, keyof typeof current][]) {
      const value = patch[field];
      if (value !== undefined && JSON.stringify(value) !== JSON.stringify(current[column])) {
        (changes as Record<string, unknown>)[column] = value;
      }
    }
    const changed = Object.keys(changes);
    if (changed.length === 0) return toCustomerResource(current);

    if (changes.email) await assertEmailFree(ctx.tx, changes.email, id);
    // Only a new email can hit the live-email index.
    const updated = await saveCustomer(ctx, current, changes).catch(changes.email ? rethrowDuplicateEmail(changes.email) : undefined);
    await emit(ctx, [{ type: 'customer.updated', subject: id, data: { customer: toCustomerSnapshot(updated), changed } }]);
    await recordAudit(ctx, { action: 'customer.update', targetType: 'customer', targetId: id, data: { changed } });
    return toCustomerResource(updated);
  });
}
