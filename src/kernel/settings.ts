/**
 * The knobs verbs read, as plain data: parsed from the environment once at start
 * (`settingsFrom(config)` in src/config.ts) and carried in every context as
 * `ctx.settings`, so no domain reads the configuration or takes a setting as a
 * positional argument.
 */
export interface Settings {
  login: {
    maxFailuresPerEmail: number;
    maxFailuresPerAddress: number;
    windowMs: number;
    /** Set only behind a trusted proxy that writes it; otherwise the peer address counts. */
    clientAddressHeader?: string | undefined;
  };
  billing: {
    /** Review window of a drafted invoice; 0 finalizes it in the transaction that drafts it. */
    draftMs: number;
    dunningRetryDays: readonly number[];
    paymentLeaseMs: number;
    firstPaymentBonusBps: number;
  };
  usage: {
    /** How far ahead of the clock a record's `occurred_at` may be (a reporter's clock may run fast). */
    clockSkewMs: number;
  };
  notify: { maxAttempts: number; backoffMs: number; leaseMs: number };
  passwords: {
    /** PBKDF2 iterations for new hashes; a stored hash keeps its own count. */
    iterations: number;
  };
  portal: {
    /** Audience of portal users' tokens; differs from the operators' so neither is taken for the other. */
    audience: string;
    /** How long a password-reset token works. */
    resetTokenMs: number;
    /** How long an email-verification or invitation token works. */
    emailTokenMs: number;
  };
}
