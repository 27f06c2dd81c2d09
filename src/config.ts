import * as v from 'valibot';
import { ConfigError, readTree, setting, settingsOf, type ConfigOf, type Setting } from './config-setting.ts';
import { email } from './kernel/email.ts';
import { LOG_LEVELS } from './kernel/logger.ts';
import type { Settings } from './kernel/settings.ts';
import { passwordWeakness } from './operators/password-policy.ts';

export { ConfigError } from './config-setting.ts';

const port = v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number), v.minValue(1), v.maxValue(65535));
const positiveInt = v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number), v.minValue(1));
const wholeNumber = v.pipe(v.string(), v.digits('must be a whole number (0 turns the limit off)'), v.transform(Number));
const seconds = v.pipe(v.string(), v.digits('must be a whole number of seconds'), v.transform(Number));
const basisPoints = v.pipe(v.string(), v.digits('must be whole basis points'), v.transform(Number), v.maxValue(10_000));
/** '1' or 'true' turn it on, '0' or 'false' off. */
const flag = (message?: string) => v.pipe(v.picklist(['0', '1', 'true', 'false'], message), v.transform((text) => text === '1' || text === 'true'));
const kafkaName = (pattern: RegExp) => v.pipe(v.string(), v.regex(pattern, 'must be letters, digits, dots, dashes or underscores'));
/** Whether Intl knows `tag` as a locale (it throws a RangeError for a malformed one). */
function isLocale(tag: string): boolean {
  try {
    return Intl.NumberFormat.supportedLocalesOf(tag).length > 0;
  } catch {
    return false;
  }
}

const secondsToMs = (count: number) => count * 1000;
const minutesToMs = (count: number) => count * 60_000;
const hoursToMs = (count: number) => count * 3_600_000;
/** Text split at `separator` into its trimmed, non-empty parts. */
const listOf = (separator: string) => (text: string) => text.split(separator).map((part) => part.trim()).filter(Boolean);

/** Used by the native adapter and by the REST proxy's alike. */
const kafkaTopicPrefix = setting('KAFKA_TOPIC_PREFIX', kafkaName(/^[\w.-]{0,100}$/), '', 'prefix of every topic and consumer group (several environments on one cluster)');

/**
 * Every setting, declared once and placed where it lands in the configuration: `loadConfig`
 * reads this tree into `Config`, and `npm run docs:config` writes docs/configuration.md's table from it.
 */
const declared = {
  port: setting('PORT', port, '3000', 'HTTP port'),
  databaseUrl: setting(
    'DATABASE_URL',
    v.pipe(v.string(), v.regex(/^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/, 'must start with file:, libsql://, http(s):// or ws(s)://')),
    'file:./data/app.db',
    'libSQL file, or remote `libsql://…` / `https://…` (Turso)',
  ),
  databaseAuthToken: setting('DATABASE_AUTH_TOKEN', v.string(), undefined, 'token for a remote database'),
  databaseSynchronous: setting(
    'DATABASE_SYNCHRONOUS',
    v.picklist(['full', 'normal'], 'must be full or normal'),
    'full',
    "durability of a local file's commits: `full` survives power loss; `normal` (WAL) survives a crash of the process but may lose the last commits on power loss. Remote servers decide their own",
  ),
  dataDir: setting('DATA_DIR', v.string(), './data', 'local state (the generated JWT secret when `JWT_SECRET` is unset)'),
  admin: {
    email: setting('ADMIN_EMAIL', email, undefined, 'the first admin, created when there is no operator; unset, `admin@localhost.localdomain` with a generated password printed once'),
    password: setting(
      'ADMIN_PASSWORD',
      v.pipe(v.string(), v.minLength(12, 'must be at least 12 characters')),
      undefined,
      "the first admin's password (needs `ADMIN_EMAIL`): 12+ characters, not the email or its part before @, not a common password",
    ),
  },
  jwt: {
    secret: setting(
      'JWT_SECRET',
      v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters')),
      undefined,
      "HS256 secret of operators' and portal tokens, 32+ characters; unset, generated into `DATA_DIR/jwt-secret` (set it when several processes or hosts serve the API; required on Workers)",
    ),
    issuer: setting('JWT_ISSUER', v.string(), 'subscription-platform', 'issuer claim of the tokens'),
    audience: setting('JWT_AUDIENCE', v.string(), 'subscription-platform-api', "audience claim of operators' tokens"),
    ttlSeconds: setting('JWT_TTL_SECONDS', positiveInt, '3600', 'lifetime of a token, in seconds'),
  },
  login: {
    maxFailuresPerEmail: setting('LOGIN_MAX_FAILURES_PER_EMAIL', positiveInt, '5', 'failed logins allowed per email in one window; then 429 with Retry-After'),
    maxFailuresPerAddress: setting('LOGIN_MAX_FAILURES_PER_ADDRESS', positiveInt, '20', 'failed logins allowed per client address in one window; then 429 with Retry-After'),
    windowMs: setting('LOGIN_FAILURE_WINDOW_SECONDS', positiveInt, '900', 'the window failed logins are counted in, in seconds', secondsToMs),
    /** Set only behind a trusted proxy that writes it; otherwise the peer address counts. */
    clientAddressHeader: setting(
      'CLIENT_ADDRESS_HEADER',
      v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as X-Forwarded-For or CF-Connecting-IP')),
      undefined,
      'behind a trusted proxy only: the header naming the client (`X-Forwarded-For`, whose last entry counts, or `CF-Connecting-IP`); unset, the peer address counts',
    ),
  },
  /** Browser origins allowed to call /v1 (CORS); none by default. */
  corsOrigins: setting(
    'CORS_ORIGINS',
    v.pipe(v.string(), v.trim(), v.regex(/^(https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*)?$/, 'must be origins such as https://app.example.com, separated by commas')),
    '',
    'browser origins allowed to call `/v1` (CORS), comma-separated, e.g. `https://app.example.com`; empty, no cross-origin browser calls',
    listOf(','),
  ),
  limits: {
    perPrincipal: setting(
      'RATE_LIMIT_PER_MINUTE',
      wholeNumber,
      '6000',
      'requests per minute per authenticated principal (operator, API key, customer user) on `/v1`; then 429. `0` turns it off',
    ),
    perAddress: {
      login: setting('RATE_LIMIT_LOGIN_PER_MINUTE', wholeNumber, '30', 'requests per minute per client address to login (API and dashboard), on top of the failed-login limits. `0` turns it off'),
      signup: setting('RATE_LIMIT_SIGNUP_PER_MINUTE', wholeNumber, '10', 'requests per minute per client address to sign-up. `0` turns it off'),
      password_reset: setting('RATE_LIMIT_PASSWORD_RESET_PER_MINUTE', wholeNumber, '10', 'requests per minute per client address to password reset. `0` turns it off'),
      emailed_code: setting(
        'RATE_LIMIT_EMAILED_CODE_PER_MINUTE',
        wholeNumber,
        '10',
        'requests per minute per client address to the routes that take an emailed code (email verification, invitation accept). `0` turns it off',
      ),
    },
  },
  portal: {
    audience: setting(
      'PORTAL_JWT_AUDIENCE',
      v.string(),
      'subscription-platform-portal',
      "audience of customer users' portal tokens (same secret, issuer and lifetime as operators'); must differ from `JWT_AUDIENCE`",
    ),
    resetTokenMs: setting('PORTAL_RESET_TOKEN_MINUTES', positiveInt, '60', 'how long an emailed password-reset code works, in minutes (each works once)', minutesToMs),
    emailTokenMs: setting('PORTAL_EMAIL_TOKEN_HOURS', positiveInt, '72', 'how long an email-verification or invitation code works, in hours (each works once)', hoursToMs),
  },
  bus: setting(
    'BUS',
    v.picklist(['embedded', 'kafka', 'kafka-rest'], 'must be "embedded", "kafka" or "kafka-rest"'),
    'embedded',
    'message bus adapter: `embedded` (a durable log in the same database), `kafka`, or `kafka-rest` (publish only, for the edge)',
  ),
  kafka: {
    brokers: setting(
      'KAFKA_BROKERS',
      v.pipe(v.string(), v.regex(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, 'must be host:port pairs separated by commas, e.g. 127.0.0.1:9092')),
      undefined,
      '`host:port` list, comma-separated; required with `BUS=kafka`',
      (list) => (list === undefined ? [] : list.split(',')),
    ),
    clientId: setting('KAFKA_CLIENT_ID', kafkaName(/^[\w.-]{1,100}$/), 'subscription-platform', 'client id prefix seen by the brokers'),
    topicPrefix: kafkaTopicPrefix,
    partitions: setting('KAFKA_PARTITIONS', positiveInt, '3', 'partitions of the topics the platform creates (one per event type)'),
    replicationFactor: setting('KAFKA_REPLICATION_FACTOR', positiveInt, '1', 'replicas of the topics the platform creates'),
    sessionTimeoutMs: setting('KAFKA_SESSION_TIMEOUT_MS', positiveInt, '10000', 'how long a dead worker keeps its partitions before another instance takes them (ms)'),
  },
  kafkaRest: {
    url: setting(
      'KAFKA_REST_URL',
      v.pipe(v.string(), v.url('must be a URL such as http://127.0.0.1:8082')),
      undefined,
      "the Kafka REST proxy's base URL; required with `BUS=kafka-rest`",
      (url) => url ?? '',
    ),
    api: setting('KAFKA_REST_API', v.picklist(['v2', 'v3'], 'must be "v2" or "v3"'), 'v2', "the proxy's API: `v2` (Confluent REST Proxy, Redpanda, Karapace) or `v3` (Confluent Cloud)"),
    clusterId: setting('KAFKA_REST_CLUSTER_ID', v.pipe(v.string(), v.regex(/^[\w-]{1,100}$/, 'must be a Kafka cluster id')), undefined, 'the cluster id; required with `KAFKA_REST_API=v3`'),
    credentials: setting('KAFKA_REST_CREDENTIALS', v.pipe(v.string(), v.regex(/^[^:]+:.+$/, 'must be key:secret')), undefined, '`key:secret` for HTTP basic auth to the proxy (Confluent Cloud)'),
    topicPrefix: kafkaTopicPrefix,
  },
  email: {
    channel: setting('EMAIL_CHANNEL', v.picklist(['log', 'smtp'], 'must be "log" or "smtp"'), 'log', 'how email leaves: printed to the log, or sent over SMTP (needs `SMTP_URL`)'),
    smtpUrl: setting(
      'SMTP_URL',
      v.pipe(v.string(), v.regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')),
      undefined,
      '`smtp://user:pass@host:587` or `smtps://user:pass@host:465`; required with `EMAIL_CHANNEL=smtp`',
    ),
    from: setting('EMAIL_FROM', v.string(), 'Subscription Platform <no-reply@localhost>', 'sender address of every email'),
  },
  sms: { channel: setting('SMS_CHANNEL', v.picklist(['log'], 'must be "log"'), 'log', 'how SMS leave: printed to the log (no carrier adapter yet)') },
  pollMs: setting('POLL_INTERVAL_MS', positiveInt, '200', 'idle poll of workers, in ms (commits in the same process wake them at once)'),
  groupCommitMax: setting('GROUP_COMMIT_MAX', positiveInt, '64', 'most commands coalesced into one transaction (group commit); `1` disables grouping'),
  notify: {
    maxAttempts: setting('NOTIFY_MAX_ATTEMPTS', positiveInt, '5', 'attempts before a notification is recorded as failed'),
    backoffMs: setting('NOTIFY_BACKOFF_MS', positiveInt, '1000', 'first notification retry delay, in ms (doubles with each attempt)'),
    leaseMs: setting('NOTIFY_LEASE_MS', positiveInt, '60000', "how long a crashed sender's claimed notifications wait before another process takes them over (ms)"),
  },
  relay: { leaseMs: setting('RELAY_LEASE_MS', positiveInt, '30000', "how long a crashed relay's claimed outbox rows wait before another process takes them over (ms)") },
  /** How long an Idempotency-Key's claim outlives its request's last renewal (a third of it apart). */
  idempotency: {
    leaseMs: setting(
      'IDEMPOTENCY_LEASE_MS',
      positiveInt,
      '15000',
      "how long an Idempotency-Key claim protects a running request (ms); the request renews it every third of that, and a crashed request's key is taken over once it lapses",
    ),
  },
  billing: {
    pollMs: setting('BILLING_POLL_MS', positiveInt, '60000', 'how often the billing worker looks for due renewals, drafts and payments (ms)'),
    draftMs: setting(
      'INVOICE_DRAFT_MINUTES',
      v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number)),
      '0',
      'review window before a draft invoice is finalized and collected, in minutes; `0` finalizes it at once, in the transaction that drafts it',
      minutesToMs,
    ),
    dunningRetryDays: setting(
      'DUNNING_RETRY_DAYS',
      v.pipe(
        v.string(),
        v.regex(/^\d+(,\d+)*$/, 'must be whole days separated by commas, e.g. 1,3,5'),
        v.transform((text) => text.split(',').map(Number)),
        v.check((days) => days.every((day, i) => day > 0 && (i === 0 || day > days[i - 1]!)), 'must be increasing days after the first failure, e.g. 1,3,5'),
      ),
      '1,3,5',
      'automatic retries after the first failed payment, in days after it (increasing)',
    ),
    paymentLeaseMs: setting('PAYMENT_LEASE_MS', positiveInt, '60000', 'how long a payment saga belongs to the worker running it before another resumes it (ms)'),
    firstPaymentBonusBps: setting('FIRST_PAYMENT_BONUS_BPS', basisPoints, '1000', 'first-payment bonus credit in basis points of that payment (`1000` = 10 %; `0` turns it off)'),
    suggestionMinSavingBps: setting(
      'SUGGESTION_MIN_SAVING_BPS',
      basisPoints,
      '1000',
      "a plan suggestion is emailed to the customer's owner after a renewal when another plan would have saved at least this share of the last periods' cost (basis points)",
    ),
  },
  /** What invoice documents (PDFs) print: the issuer's name and address lines, and the locale amounts are written in. */
  invoiceDocuments: {
    issuer: {
      name: setting('INVOICE_ISSUER_NAME', v.pipe(v.string(), v.trim(), v.maxLength(200, 'must be at most 200 characters')), 'Subscription Platform', 'the seller printed at the top of invoice PDFs'),
      address: setting(
        'INVOICE_ISSUER_ADDRESS',
        v.pipe(v.string(), v.maxLength(1000, 'must be at most 1000 characters')),
        '',
        'its address lines on invoice PDFs, separated by `|`',
        listOf('|'),
      ),
    },
    locale: setting('INVOICE_LOCALE', v.pipe(v.string(), v.check(isLocale, 'must be a BCP 47 locale such as en-US or de-DE')), 'en-US', 'BCP 47 locale of the amounts on invoice PDFs (`de-DE`: 1.234,56 €)'),
  },
  payments: {
    provider: setting(
      'PAYMENT_PROVIDER',
      v.picklist(['sandbox'], 'must be "sandbox" (see the README for adding a card processor)'),
      'sandbox',
      'payment provider adapter; `sandbox` is deterministic by token (`tok_ok`, `tok_decline`, `tok_timeout`, …)',
    ),
  },
  usage: {
    clockSkewMs: setting(
      'USAGE_CLOCK_SKEW_SECONDS',
      seconds,
      '300',
      "how far ahead of the server's clock a usage record's `occurred_at` may be, in seconds; later ones are refused (`in_future`)",
      secondsToMs,
    ),
  },
  passwords: {
    iterations: setting(
      'PASSWORD_ITERATIONS',
      v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number), v.minValue(100_000, 'must be at least 100000'), v.maxValue(10_000_000, 'must be at most 10000000')),
      '310000',
      'PBKDF2-SHA256 iterations of new password hashes, at least 100,000 (`100000` by default on Workers); a stored hash keeps its own count. Production Workers cap PBKDF2 at 100,000 (cloudflare/workerd#1346), so a hash made with more on a server cannot be checked there: set the same count everywhere when you run both',
    ),
  },
  webhooks: {
    allowHttp: setting('WEBHOOKS_ALLOW_HTTP', flag('must be 0 or 1'), '0', '`1` also allows webhook URLs over http to a loopback host (tests, local development); otherwise https only'),
    allowPrivate: setting(
      'WEBHOOKS_ALLOW_PRIVATE',
      flag('must be 0 or 1'),
      '0',
      '`1` lets webhooks reach private, loopback and link-local addresses and internal names (test receivers on 127.0.0.1); keep `0` in production',
    ),
    maxAttempts: setting('WEBHOOKS_MAX_ATTEMPTS', positiveInt, '8', 'automatic attempts of one webhook delivery'),
    backoffMs: setting('WEBHOOKS_BACKOFF_SECONDS', positiveInt, '60', 'the wait after the first failed webhook attempt, in seconds (doubles each time)', secondsToMs),
    timeoutMs: setting('WEBHOOKS_TIMEOUT_MS', positiveInt, '10000', 'how long one webhook attempt may take (ms) before it counts as failed'),
    disableAfterFailures: setting('WEBHOOKS_DISABLE_AFTER_FAILURES', positiveInt, '20', 'failed attempts in a row after which an endpoint is disabled and its owner emailed'),
    secretOverlapMs: setting('WEBHOOKS_SECRET_OVERLAP_SECONDS', seconds, '86400', 'how long the previous secret keeps signing after a rotation, in seconds', secondsToMs),
  },
  logSilent: setting('LOG_SILENT', flag(), '0', '`1` silences logs'),
  logLevel: setting('LOG_LEVEL', v.picklist(LOG_LEVELS, 'must be debug, info, warn or error'), 'info', 'lowest level logged; `info` writes one access-log line per request'),
  /** json: one JSON object a line; pretty: readable lines for a terminal; auto: pretty when stdout is a terminal (servers only). */
  logFormat: setting(
    'LOG_FORMAT',
    v.picklist(['auto', 'json', 'pretty'], 'must be auto, json or pretty'),
    'auto',
    '`json` (one object a line), `pretty` (readable lines) or `auto` (pretty when stdout is a terminal; `npm run dev` defaults to pretty)',
  ),
  /** A scraper's static bearer token for GET /metrics (besides any operator token). */
  metricsToken: setting(
    'METRICS_TOKEN',
    v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'), v.regex(/^\S+$/, 'must have no spaces')),
    undefined,
    "a scraper's static bearer token for `GET /metrics` (16+ characters); operator tokens work too. See [metrics.md](metrics.md)",
  ),
};

/** The typed configuration: the shape of the declarations, each setting replaced by its value. */
export type Config = ConfigOf<typeof declared>;

/** Every setting once, in the order declared (docs/configuration.md's table is made from them). */
export const configSettings: readonly Setting<unknown>[] = settingsOf(declared);

/** Every variable the configuration reads (what an entry may pass on to another process). */
export const configVariables: readonly string[] = configSettings.map((declaredSetting) => declaredSetting.variable);

/** The rules that span several variables, checked once each value is valid on its own. */
function checkTogether(config: Config): void {
  if (config.email.channel === 'smtp' && !config.email.smtpUrl) throw new ConfigError('SMTP_URL', 'is required when EMAIL_CHANNEL=smtp');
  if (config.bus === 'kafka' && config.kafka.brokers.length === 0) throw new ConfigError('KAFKA_BROKERS', 'is required when BUS=kafka');
  if (config.bus === 'kafka-rest' && !config.kafkaRest.url) throw new ConfigError('KAFKA_REST_URL', 'is required when BUS=kafka-rest');
  if (config.bus === 'kafka-rest' && config.kafkaRest.api === 'v3' && !config.kafkaRest.clusterId) throw new ConfigError('KAFKA_REST_CLUSTER_ID', 'is required with KAFKA_REST_API=v3');
  if (config.portal.audience === config.jwt.audience) throw new ConfigError('PORTAL_JWT_AUDIENCE', 'must differ from JWT_AUDIENCE, so a portal token is never taken for an operator token');
  const { email: adminEmail, password: adminPassword } = config.admin;
  if (adminPassword && !adminEmail) throw new ConfigError('ADMIN_EMAIL', 'is required when ADMIN_PASSWORD is set');
  const weakness = adminPassword && adminEmail ? passwordWeakness(adminPassword, adminEmail) : null;
  if (weakness) throw new ConfigError('ADMIN_PASSWORD', weakness);
}

/**
 * Parses the environment once at start. Empty strings count as unset.
 * Throws a ConfigError naming the first bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  const config = readTree(declared, present);
  checkTogether(config);
  return config;
}

/** The settings every context carries (`ctx.settings`), taken from the configuration once. */
export function settingsFrom(config: Config): Settings {
  const { login, limits, billing, usage, idempotency, notify, passwords, webhooks, portal } = config;
  // The billing worker's poll is the worker's own, not a verb's.
  const { pollMs: _workerPoll, ...verbBilling } = billing;
  return { login, limits, billing: verbBilling, usage, idempotency, notify, passwords, webhooks, portal };
}
