import * as v from 'valibot';
import { email } from './kernel/email.ts';
import { LOG_LEVELS } from './kernel/logger.ts';
import type { Settings } from './kernel/settings.ts';
import { passwordWeakness } from './operators/password-policy.ts';

const port = v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number), v.minValue(1), v.maxValue(65535));
const positiveInt = v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number), v.minValue(1));
const wholeNumber = v.pipe(v.string(), v.digits('must be a whole number (0 turns the limit off)'), v.transform(Number));
/** Whether Intl knows `tag` as a locale (it throws a RangeError for a malformed one). */
function isLocale(tag: string): boolean {
  try {
    return Intl.NumberFormat.supportedLocalesOf(tag).length > 0;
  } catch {
    return false;
  }
}
const databaseUrl = v.pipe(
  v.string(),
  v.regex(/^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/, 'must start with file:, libsql://, http(s):// or ws(s)://'),
);

const envSchema = v.object({
  PORT: v.optional(port, '3000'),
  DATABASE_URL: v.optional(databaseUrl, 'file:./data/app.db'),
  DATABASE_AUTH_TOKEN: v.optional(v.string()),
  DATABASE_SYNCHRONOUS: v.optional(v.picklist(['full', 'normal'], 'must be full or normal'), 'full'),
  DATA_DIR: v.optional(v.string(), './data'),
  ADMIN_EMAIL: v.optional(email),
  ADMIN_PASSWORD: v.optional(v.pipe(v.string(), v.minLength(12, 'must be at least 12 characters'))),
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  JWT_ISSUER: v.optional(v.string(), 'subscription-platform'),
  JWT_AUDIENCE: v.optional(v.string(), 'subscription-platform-api'),
  JWT_TTL_SECONDS: v.optional(positiveInt, '3600'),
  PORTAL_JWT_AUDIENCE: v.optional(v.string(), 'subscription-platform-portal'),
  PORTAL_RESET_TOKEN_MINUTES: v.optional(positiveInt, '60'),
  PORTAL_EMAIL_TOKEN_HOURS: v.optional(positiveInt, '72'),
  LOGIN_MAX_FAILURES_PER_EMAIL: v.optional(positiveInt, '5'),
  LOGIN_MAX_FAILURES_PER_ADDRESS: v.optional(positiveInt, '20'),
  LOGIN_FAILURE_WINDOW_SECONDS: v.optional(positiveInt, '900'),
  CLIENT_ADDRESS_HEADER: v.optional(v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as X-Forwarded-For or CF-Connecting-IP'))),
  CORS_ORIGINS: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^(https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*)?$/, 'must be origins such as https://app.example.com, separated by commas')),
    '',
  ),
  RATE_LIMIT_PER_MINUTE: v.optional(wholeNumber, '6000'),
  RATE_LIMIT_LOGIN_PER_MINUTE: v.optional(wholeNumber, '30'),
  RATE_LIMIT_SIGNUP_PER_MINUTE: v.optional(wholeNumber, '10'),
  RATE_LIMIT_PASSWORD_RESET_PER_MINUTE: v.optional(wholeNumber, '10'),
  RATE_LIMIT_EMAILED_CODE_PER_MINUTE: v.optional(wholeNumber, '10'),
  BUS: v.optional(v.picklist(['embedded', 'kafka', 'kafka-rest'], 'must be "embedded", "kafka" or "kafka-rest"'), 'embedded'),
  KAFKA_REST_URL: v.optional(v.pipe(v.string(), v.url('must be a URL such as http://127.0.0.1:8082'))),
  KAFKA_REST_API: v.optional(v.picklist(['v2', 'v3'], 'must be "v2" or "v3"'), 'v2'),
  KAFKA_REST_CLUSTER_ID: v.optional(v.pipe(v.string(), v.regex(/^[\w-]{1,100}$/, 'must be a Kafka cluster id'))),
  KAFKA_REST_CREDENTIALS: v.optional(v.pipe(v.string(), v.regex(/^[^:]+:.+$/, 'must be key:secret'))),
  KAFKA_BROKERS: v.optional(v.pipe(v.string(), v.regex(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, 'must be host:port pairs separated by commas, e.g. 127.0.0.1:9092'))),
  KAFKA_CLIENT_ID: v.optional(v.pipe(v.string(), v.regex(/^[\w.-]{1,100}$/, 'must be letters, digits, dots, dashes or underscores')), 'subscription-platform'),
  KAFKA_TOPIC_PREFIX: v.optional(v.pipe(v.string(), v.regex(/^[\w.-]{0,100}$/, 'must be letters, digits, dots, dashes or underscores')), ''),
  KAFKA_PARTITIONS: v.optional(positiveInt, '3'),
  KAFKA_REPLICATION_FACTOR: v.optional(positiveInt, '1'),
  KAFKA_SESSION_TIMEOUT_MS: v.optional(positiveInt, '10000'),
  EMAIL_CHANNEL: v.optional(v.picklist(['log', 'smtp'], 'must be "log" or "smtp"'), 'log'),
  SMTP_URL: v.optional(v.pipe(v.string(), v.regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://'))),
  EMAIL_FROM: v.optional(v.string(), 'Subscription Platform <no-reply@localhost>'),
  SMS_CHANNEL: v.optional(v.picklist(['log'], 'must be "log"'), 'log'),
  POLL_INTERVAL_MS: v.optional(positiveInt, '200'),
  GROUP_COMMIT_MAX: v.optional(positiveInt, '64'),
  NOTIFY_MAX_ATTEMPTS: v.optional(positiveInt, '5'),
  NOTIFY_BACKOFF_MS: v.optional(positiveInt, '1000'),
  NOTIFY_LEASE_MS: v.optional(positiveInt, '60000'),
  RELAY_LEASE_MS: v.optional(positiveInt, '30000'),
  BILLING_POLL_MS: v.optional(positiveInt, '60000'),
  INVOICE_DRAFT_MINUTES: v.optional(v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number)), '0'),
  INVOICE_ISSUER_NAME: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200, 'must be at most 200 characters')), 'Subscription Platform'),
  /** The issuer's address on invoice documents, lines separated by `|`. */
  INVOICE_ISSUER_ADDRESS: v.optional(v.pipe(v.string(), v.maxLength(1000, 'must be at most 1000 characters')), ''),
  INVOICE_LOCALE: v.optional(v.pipe(v.string(), v.check(isLocale, 'must be a BCP 47 locale such as en-US or de-DE')), 'en-US'),
  DUNNING_RETRY_DAYS: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+(,\d+)*$/, 'must be whole days separated by commas, e.g. 1,3,5'),
      v.transform((s) => s.split(',').map(Number)),
      v.check((days) => days.every((d, i) => d > 0 && (i === 0 || d > days[i - 1]!)), 'must be increasing days after the first failure, e.g. 1,3,5'),
    ),
    '1,3,5',
  ),
  PAYMENT_PROVIDER: v.optional(v.picklist(['sandbox'], 'must be "sandbox" (see the README for adding a card processor)'), 'sandbox'),
  PAYMENT_LEASE_MS: v.optional(positiveInt, '60000'),
  IDEMPOTENCY_LEASE_MS: v.optional(positiveInt, '15000'),
  USAGE_CLOCK_SKEW_SECONDS: v.optional(v.pipe(v.string(), v.digits('must be a whole number of seconds'), v.transform(Number)), '300'),
  FIRST_PAYMENT_BONUS_BPS: v.optional(v.pipe(v.string(), v.digits('must be whole basis points'), v.transform(Number), v.maxValue(10_000)), '1000'),
  SUGGESTION_MIN_SAVING_BPS: v.optional(v.pipe(v.string(), v.digits('must be whole basis points'), v.transform(Number), v.maxValue(10_000)), '1000'),
  WEBHOOKS_ALLOW_HTTP: v.optional(v.picklist(['0', '1', 'true', 'false'], 'must be 0 or 1'), '0'),
  WEBHOOKS_ALLOW_PRIVATE: v.optional(v.picklist(['0', '1', 'true', 'false'], 'must be 0 or 1'), '0'),
  WEBHOOKS_MAX_ATTEMPTS: v.optional(positiveInt, '8'),
  WEBHOOKS_BACKOFF_SECONDS: v.optional(positiveInt, '60'),
  WEBHOOKS_TIMEOUT_MS: v.optional(positiveInt, '10000'),
  WEBHOOKS_DISABLE_AFTER_FAILURES: v.optional(positiveInt, '20'),
  WEBHOOKS_SECRET_OVERLAP_SECONDS: v.optional(v.pipe(v.string(), v.digits('must be a whole number of seconds'), v.transform(Number)), '86400'),
  PASSWORD_ITERATIONS: v.optional(
    v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number), v.minValue(100_000, 'must be at least 100000'), v.maxValue(10_000_000, 'must be at most 10000000')),
    '310000',
  ),
  LOG_SILENT: v.optional(v.picklist(['0', '1', 'true', 'false']), '0'),
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, 'must be debug, info, warn or error'), 'info'),
  /** json: one JSON object a line; pretty: readable lines for a terminal; auto: pretty when stdout is a terminal (servers only). */
  LOG_FORMAT: v.optional(v.picklist(['auto', 'json', 'pretty'], 'must be auto, json or pretty'), 'auto'),
  METRICS_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'), v.regex(/^\S+$/, 'must have no spaces'))),
});

export type Config = ReturnType<typeof toConfig>;

/** Every variable the configuration reads (what an entry may pass on to another process). */
export const configVariables: readonly string[] = Object.keys(envSchema.entries);

/** A configuration problem, naming the variable. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.variable = variable;
    this.name = 'ConfigError';
  }
}

function toConfig(env: v.InferOutput<typeof envSchema>) {
  if (env.EMAIL_CHANNEL === 'smtp' && !env.SMTP_URL) throw new ConfigError('SMTP_URL', 'is required when EMAIL_CHANNEL=smtp');
  if (env.BUS === 'kafka' && !env.KAFKA_BROKERS) throw new ConfigError('KAFKA_BROKERS', 'is required when BUS=kafka');
  if (env.BUS === 'kafka-rest' && !env.KAFKA_REST_URL) throw new ConfigError('KAFKA_REST_URL', 'is required when BUS=kafka-rest');
  if (env.BUS === 'kafka-rest' && env.KAFKA_REST_API === 'v3' && !env.KAFKA_REST_CLUSTER_ID) throw new ConfigError('KAFKA_REST_CLUSTER_ID', 'is required with KAFKA_REST_API=v3');
  if (env.PORTAL_JWT_AUDIENCE === env.JWT_AUDIENCE) throw new ConfigError('PORTAL_JWT_AUDIENCE', 'must differ from JWT_AUDIENCE, so a portal token is never taken for an operator token');
  if (env.ADMIN_PASSWORD && !env.ADMIN_EMAIL) throw new ConfigError('ADMIN_EMAIL', 'is required when ADMIN_PASSWORD is set');
  const weakness = env.ADMIN_PASSWORD && env.ADMIN_EMAIL ? passwordWeakness(env.ADMIN_PASSWORD, env.ADMIN_EMAIL) : null;
  if (weakness) throw new ConfigError('ADMIN_PASSWORD', weakness);
  return {
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databaseAuthToken: env.DATABASE_AUTH_TOKEN,
    databaseSynchronous: env.DATABASE_SYNCHRONOUS,
    dataDir: env.DATA_DIR,
    admin: { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD },
    jwt: { secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, ttlSeconds: env.JWT_TTL_SECONDS },
    login: {
      maxFailuresPerEmail: env.LOGIN_MAX_FAILURES_PER_EMAIL,
      maxFailuresPerAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowMs: env.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
      /** Set only behind a trusted proxy that writes it; otherwise the peer address counts. */
      clientAddressHeader: env.CLIENT_ADDRESS_HEADER,
    },
    /** Browser origins allowed to call /v1 (CORS); none by default. */
    corsOrigins: env.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean),
    limits: {
      perPrincipal: env.RATE_LIMIT_PER_MINUTE,
      perAddress: { login: env.RATE_LIMIT_LOGIN_PER_MINUTE, signup: env.RATE_LIMIT_SIGNUP_PER_MINUTE, password_reset: env.RATE_LIMIT_PASSWORD_RESET_PER_MINUTE, emailed_code: env.RATE_LIMIT_EMAILED_CODE_PER_MINUTE },
    },
    portal: {
      audience: env.PORTAL_JWT_AUDIENCE,
      resetTokenMs: env.PORTAL_RESET_TOKEN_MINUTES * 60_000,
      emailTokenMs: env.PORTAL_EMAIL_TOKEN_HOURS * 3_600_000,
    },
    bus: env.BUS,
    kafka: {
      brokers: env.KAFKA_BROKERS?.split(',') ?? [],
      clientId: env.KAFKA_CLIENT_ID,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      partitions: env.KAFKA_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    },
    kafkaRest: { url: env.KAFKA_REST_URL ?? '', api: env.KAFKA_REST_API, clusterId: env.KAFKA_REST_CLUSTER_ID, credentials: env.KAFKA_REST_CREDENTIALS, topicPrefix: env.KAFKA_TOPIC_PREFIX },
    email: { channel: env.EMAIL_CHANNEL, smtpUrl: env.SMTP_URL, from: env.EMAIL_FROM },
    sms: { channel: env.SMS_CHANNEL },
    pollMs: env.POLL_INTERVAL_MS,
    groupCommitMax: env.GROUP_COMMIT_MAX,
    notify: { maxAttempts: env.NOTIFY_MAX_ATTEMPTS, backoffMs: env.NOTIFY_BACKOFF_MS, leaseMs: env.NOTIFY_LEASE_MS },
    relay: { leaseMs: env.RELAY_LEASE_MS },
    /** How long an Idempotency-Key's claim outlives its request's last renewal (a third of it apart). */
    idempotency: { leaseMs: env.IDEMPOTENCY_LEASE_MS },
    billing: {
      pollMs: env.BILLING_POLL_MS,
      draftMs: env.INVOICE_DRAFT_MINUTES * 60_000,
      dunningRetryDays: env.DUNNING_RETRY_DAYS,
      paymentLeaseMs: env.PAYMENT_LEASE_MS,
      firstPaymentBonusBps: env.FIRST_PAYMENT_BONUS_BPS,
      suggestionMinSavingBps: env.SUGGESTION_MIN_SAVING_BPS,
    },
    /** What invoice documents (PDFs) print: the issuer's name and address lines, and the locale amounts are written in. */
    invoiceDocuments: {
      issuer: { name: env.INVOICE_ISSUER_NAME, address: env.INVOICE_ISSUER_ADDRESS.split('|').map((line) => line.trim()).filter(Boolean) },
      locale: env.INVOICE_LOCALE,
    },
    payments: { provider: env.PAYMENT_PROVIDER },
    usage: { clockSkewMs: env.USAGE_CLOCK_SKEW_SECONDS * 1000 },
    passwords: { iterations: env.PASSWORD_ITERATIONS },
    webhooks: {
      allowHttp: env.WEBHOOKS_ALLOW_HTTP === '1' || env.WEBHOOKS_ALLOW_HTTP === 'true',
      allowPrivate: env.WEBHOOKS_ALLOW_PRIVATE === '1' || env.WEBHOOKS_ALLOW_PRIVATE === 'true',
      maxAttempts: env.WEBHOOKS_MAX_ATTEMPTS,
      backoffMs: env.WEBHOOKS_BACKOFF_SECONDS * 1000,
      timeoutMs: env.WEBHOOKS_TIMEOUT_MS,
      disableAfterFailures: env.WEBHOOKS_DISABLE_AFTER_FAILURES,
      secretOverlapMs: env.WEBHOOKS_SECRET_OVERLAP_SECONDS * 1000,
    },
    logSilent: env.LOG_SILENT === '1' || env.LOG_SILENT === 'true',
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    /** A scraper's static bearer token for GET /metrics (besides any operator token). */
    metricsToken: env.METRICS_TOKEN,
  };
}

/**
 * Parses the environment once at start. Empty strings count as unset.
 * Throws a ConfigError naming the first bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = v.safeParse(envSchema, present);
  if (!result.success) {
    const issue = result.issues[0]!;
    const variable = v.getDotPath(issue) ?? 'environment';
    throw new ConfigError(variable, issue.message);
  }
  return toConfig(result.output);
}

/** The settings every context carries (`ctx.settings`), taken from the configuration once. */
export function settingsFrom(config: Config): Settings {
  return {
    login: config.login,
    limits: config.limits,
    billing: {
      draftMs: config.billing.draftMs,
      dunningRetryDays: config.billing.dunningRetryDays,
      paymentLeaseMs: config.billing.paymentLeaseMs,
      firstPaymentBonusBps: config.billing.firstPaymentBonusBps,
      suggestionMinSavingBps: config.billing.suggestionMinSavingBps,
    },
    usage: config.usage,
    idempotency: config.idempotency,
    notify: config.notify,
    passwords: config.passwords,
    webhooks: config.webhooks,
    portal: config.portal,
  };
}
