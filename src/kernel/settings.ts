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
  limits: {
    /** Requests per minute each authenticated principal (operator, API key, customer user) may make; 0 is no limit. */
    perPrincipal: number;
    /** Requests per minute from one client address to each open route that is limited by address; 0 is no limit. */
    perAddress: { login: number; signup: number; password_reset: number; emailed_code: number };
  };
  billing: {
    /** Review window of a drafted invoice; 0 finalizes it in the transaction that drafts it. */
    draftMs: number;
    dunningRetryDays: readonly number[];
    paymentLeaseMs: number;
    firstPaymentBonusBps: number;
    /** A plan suggestion is told to the customer (`customer.plan_suggested`) when it saves at least this share of the current cost (1000 = 10 %). */
    suggestionMinSavingBps: number;
  };
  usage: {
    /** How far ahead of the clock a record's `occurred_at` may be (a reporter's clock may run fast). */
    clockSkewMs: number;
  };
  idempotency: {
    /**
     * How long an Idempotency-Key's claim lasts past its request's last renewal (the request renews it
     * every third of this while it runs): a key whose request died is taken over by a retry at most this long after.
     */
    leaseMs: number;
  };
  notify: { maxAttempts: number; backoffMs: number; leaseMs: number };
  webhooks: {
    /** Also http:// URLs on a loopback host (tests, local development); otherwise https only. */
    allowHttp: boolean;
    /**
     * Also private, loopback and link-local addresses and internal names, at creation and at
     * delivery (test receivers on 127.0.0.1); otherwise the sender refuses them whatever a name resolves to.
     */
    allowPrivate: boolean;
    /** Automatic attempts of one delivery before it is `failed`. */
    maxAttempts: number;
    /** Wait after the first failed attempt; doubles with each further one. */
    backoffMs: number;
    /** How long one attempt may take before it counts as failed. */
    timeoutMs: number;
    /** Failed attempts in a row after which the endpoint is disabled and its owner told. */
    disableAfterFailures: number;
    /** How long the previous secret still signs after a rotation. */
    secretOverlapMs: number;
  };
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
