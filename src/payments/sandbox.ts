import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, RefundResult } from './provider.ts';
import { ProviderTimeoutError } from './provider.ts';

/**
 * The built-in sandbox provider: no network, deterministic by payment-method token.
 *
 *   tok_ok, tok_visa, tok_mastercard     succeed
 *   tok_decline                          declined, card_declined
 *   tok_insufficient_funds               declined, insufficient_funds
 *   tok_timeout                          times out before charging
 *   tok_timeout_after_charge             charges, then times out (the answer is lost)
 *   anything else                        declined, invalid_payment_method
 *
 * Like a real processor it is idempotent by key: the same key returns the first
 * outcome and never charges twice. `ledger()` shows what it holds (for tests and
 * the sandbox's own inspection): a charge that was taken and whether it was refunded.
 */
export interface SandboxCharge {
  key: string;
  reference: string;
  amount: number;
  currency: string;
  description: string;
  refunded: boolean;
}

export interface SandboxProvider extends PaymentProvider {
  ledger(): SandboxCharge[];
}

const SUCCEEDS = new Set(['tok_ok', 'tok_visa', 'tok_mastercard']);
const DECLINES: Record<string, { code: string; message: string }> = {
  tok_decline: { code: 'card_declined', message: 'The card was declined.' },
  tok_insufficient_funds: { code: 'insufficient_funds', message: 'The card has insufficient funds.' },
};

export function createSandboxProvider(): SandboxProvider {
  const charges = new Map<string, SandboxCharge>();
  const outcomes = new Map<string, ChargeResult>();
  const refunds = new Map<string, RefundResult>();
  let counter = 0;

  const take = (request: ChargeRequest): ChargeResult => {
    const charge = { key: request.idempotencyKey, reference: `sbx_ch_${++counter}`, amount: request.amount, currency: request.currency, description: request.description, refunded: false };
    charges.set(request.idempotencyKey, charge);
    const result = { status: 'succeeded' as const, reference: charge.reference };
    outcomes.set(request.idempotencyKey, result);
    return result;
  };

  return {
    name: 'sandbox',
    async charge(request) {
      const known = outcomes.get(request.idempotencyKey);
      if (known) return known;
      const token = request.paymentMethod;
      if (token === 'tok_timeout') throw new ProviderTimeoutError();
      if (token === 'tok_timeout_after_charge') {
        take(request);
        throw new ProviderTimeoutError();
      }
      if (SUCCEEDS.has(token)) return take(request);
      const decline = DECLINES[token] ?? { code: 'invalid_payment_method', message: `The sandbox does not know the payment method ${token}.` };
      const result = { status: 'declined' as const, ...decline };
      outcomes.set(request.idempotencyKey, result);
      return result;
    },
    async refund(request: RefundRequest) {
      const known = refunds.get(request.idempotencyKey);
      if (known) return known;
      const charge = charges.get(request.chargeKey);
      const result: RefundResult = charge && !charge.refunded ? { status: 'refunded', reference: `sbx_re_${++counter}` } : { status: 'no_charge' };
      if (charge) charge.refunded = true;
      refunds.set(request.idempotencyKey, result);
      return result;
    },
    ledger: () => [...charges.values()].map((c) => ({ ...c })),
  };
}
