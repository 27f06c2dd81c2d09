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
 * outcome and never charges twice. What it answered is kept by its store: the
 * database (src/payments/sandbox-store.ts, what the platform runs on), so references
 * stay unique and keys remembered across restarts, or memory for a test that wants
 * its own. `ledger()` shows what it holds (for tests and the sandbox's own
 * inspection): each charge taken and whether it was refunded.
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
  ledger(): Promise<SandboxCharge[]>;
}

export type SandboxDecline = { code: string; message: string };

/**
 * Where the sandbox keeps its answers. Each operation is atomic and idempotent by key:
 * when the key already has an answer, that first answer is returned and nothing changes.
 */
export interface SandboxStore {
  /** The first answer to a charge under this key, if any. */
  chargeOutcome(key: string): Promise<ChargeResult | null>;
  /** Takes the charge under a new unique reference (`sbx_ch_…`). */
  take(request: ChargeRequest): Promise<ChargeResult>;
  /** Records a decline. */
  decline(request: ChargeRequest, decline: SandboxDecline): Promise<ChargeResult>;
  /** Refunds the charge taken under `request.chargeKey`, once (`sbx_re_…`); `no_charge` when none was taken or it was refunded. */
  refund(request: RefundRequest): Promise<RefundResult>;
  ledger(): Promise<SandboxCharge[]>;
}

const SUCCEEDS = new Set(['tok_ok', 'tok_visa', 'tok_mastercard']);
const DECLINES: Record<string, SandboxDecline> = {
  tok_decline: { code: 'card_declined', message: 'The card was declined.' },
  tok_insufficient_funds: { code: 'insufficient_funds', message: 'The card has insufficient funds.' },
};

/** The sandbox provider over `store` (memory unless given: the platform passes the database's). */
export function createSandboxProvider(store: SandboxStore = memorySandboxStore()): SandboxProvider {
  return {
    name: 'sandbox',
    async charge(request) {
      const known = await store.chargeOutcome(request.idempotencyKey);
      if (known) return known;
      const token = request.paymentMethod;
      if (token === 'tok_timeout') throw new ProviderTimeoutError();
      if (token === 'tok_timeout_after_charge') {
        await store.take(request);
        throw new ProviderTimeoutError();
      }
      if (SUCCEEDS.has(token)) return store.take(request);
      return store.decline(request, DECLINES[token] ?? { code: 'invalid_payment_method', message: `The sandbox does not know the payment method ${token}.` });
    },
    refund: (request) => store.refund(request),
    ledger: () => store.ledger(),
  };
}

/** A store in this process's memory: forgotten on restart, so only for tests that build their own provider. */
export function memorySandboxStore(): SandboxStore {
  const charges = new Map<string, SandboxCharge>();
  const outcomes = new Map<string, ChargeResult>();
  const refunds = new Map<string, RefundResult>();
  let counter = 0;
  return {
    chargeOutcome: async (key) => outcomes.get(key) ?? null,
    async take(request) {
      const known = outcomes.get(request.idempotencyKey);
      if (known) return known;
      const charge = { key: request.idempotencyKey, reference: `sbx_ch_${++counter}`, amount: request.amount, currency: request.currency, description: request.description, refunded: false };
      charges.set(charge.key, charge);
      const result = { status: 'succeeded' as const, reference: charge.reference };
      outcomes.set(charge.key, result);
      return result;
    },
    async decline(request, decline) {
      const known = outcomes.get(request.idempotencyKey);
      if (known) return known;
      const result = { status: 'declined' as const, ...decline };
      outcomes.set(request.idempotencyKey, result);
      return result;
    },
    async refund(request) {
      const known = refunds.get(request.idempotencyKey);
      if (known) return known;
      const charge = charges.get(request.chargeKey);
      const result: RefundResult = charge && !charge.refunded ? { status: 'refunded', reference: `sbx_re_${++counter}` } : { status: 'no_charge' };
      if (charge) charge.refunded = true;
      refunds.set(request.idempotencyKey, result);
      return result;
    },
    ledger: async () => [...charges.values()].map((c) => ({ ...c })),
  };
}
