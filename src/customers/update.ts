import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { tenantOf, withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { assertEmailFree, loadCustomer, rethrowDuplicateEmail, saveCustomer } from './load.ts';
import { toCustomerResource, toCustomerSnapshot } from './present.ts';
import type { UpdateCustomerInput } from './contract.ts';

const COLUMN = { name: 'name', email: 'email', kind: 'kind', country: 'country', phone: 'phone', metadata: 'metadata', tax_rate_bps: 'taxRateBps', payment_method: 'paymentMethod', max_subscriptions: 'maxSubscriptions' } as const;
/** Fields only an operator may change: a tenant (its own key or user) is refused them. */
const OPERATOR_ONLY = ['max_subscriptions'] as const;

/**
 * Changes a customer's details; emits `customer.updated` naming the changed fields (none: no event).
 * `max_subscriptions` is the operator's: a tenant sending it is refused (403 naming the field).
 */
export function updateCustomer(ctx: Ctx, id: string, patch: UpdateCustomerInput) {
  return withTransaction(ctx, async (ctx) => {
    const reserved = OPERATOR_ONLY.filter((field) => patch[field] !== undefined);
    if (reserved.length > 0 && tenantOf(ctx.actor) !== undefined) {
      throw new DomainError('forbidden', `only an operator may change ${reserved.join(', ')}`, { issues: reserved.map((field) => ({ field, message: 'only an operator may change this' })) });
    }
    const current = await loadCustomer(ctx.tx, id);
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
