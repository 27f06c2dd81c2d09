/**
 * The payment provider port: the one place money leaves a customer's account.
 * Every call carries an idempotency key; calling again with the same key must
 * return the first call's outcome and never move money twice, which is what lets
 * the payment saga retry a step after a crash.
 */
export interface ChargeRequest {
  /** The payment's id: the same key, the same charge. */
  idempotencyKey: string;
  amount: number;
  currency: string;
  paymentMethod: string;
  description: string;
}

export type ChargeResult =
  | { status: 'succeeded'; reference: string }
  | { status: 'declined'; code: string; message: string };

export interface RefundRequest {
  idempotencyKey: string;
  /** The idempotency key of the charge to reverse. */
  chargeKey: string;
  amount: number;
  currency: string;
  reason: string;
}

/** `no_charge`: there was nothing to refund under that key (a charge that never went through). */
export type RefundResult = { status: 'refunded'; reference: string } | { status: 'no_charge' };

export interface PaymentProvider {
  readonly name: string;
  /** Resolves with the outcome; throws ProviderTimeoutError when the outcome is unknown. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

/** The provider did not answer in time: the charge may or may not have happened. */
export class ProviderTimeoutError extends Error {
  constructor(message = 'the payment provider did not answer in time') {
    super(message);
    this.name = 'ProviderTimeoutError';
  }
}
