import { describe, expect, test } from 'bun:test';
import { DomainError } from '../kernel/errors.ts';
import { nextInvoiceStatus, requireInvoiceTransition, type InvoiceStatus, type InvoiceTransition } from './lifecycle.ts';
import type { InvoiceRow } from './present.ts';

const statuses: InvoiceStatus[] = ['draft', 'open', 'paid', 'void', 'uncollectible'];

describe('the invoice lifecycle (src/billing/lifecycle.ts, the role name every domain uses)', () => {
  test('allows exactly the documented transitions, cell by cell', () => {
    const allowed: Record<InvoiceTransition, [InvoiceStatus[], InvoiceStatus]> = {
      finalize: [['draft'], 'open'],
      pay: [['open'], 'paid'],
      void: [['draft', 'open'], 'void'],
      mark_uncollectible: [['open'], 'uncollectible'],
    };
    for (const [transition, [from, to]] of Object.entries(allowed) as [InvoiceTransition, [InvoiceStatus[], InvoiceStatus]][]) {
      for (const status of statuses) expect([transition, status, nextInvoiceStatus(status, transition)]).toEqual([transition, status, from.includes(status) ? to : null]);
    }
  });

  test('a refused transition is a 409 invalid_transition naming the current status', () => {
    const paid = { status: 'paid' } as InvoiceRow;
    expect(requireInvoiceTransition({ status: 'open' } as InvoiceRow, 'void')).toBe('void');
    const refusal = (() => {
      try {
        requireInvoiceTransition(paid, 'mark_uncollectible');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(DomainError);
    const { code, message, details } = refusal as DomainError;
    expect({ code, message, details }).toEqual({ code: 'invalid_transition', message: 'cannot mark uncollectible an invoice that is paid', details: { current_status: 'paid', transition: 'mark_uncollectible' } });
  });
});
