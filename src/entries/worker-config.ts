import { ConfigError, loadConfig, type Config } from '../config.ts';

/** The configuration on Workers, with the JWT secret known to be set. */
export type WorkerConfig = Config & { jwt: { secret: string } };

/** Defaults that differ on Workers: production Workers cap PBKDF2 at 100,000 iterations (cloudflare/workerd#1346). */
const WORKER_DEFAULTS: Record<string, string> = { PASSWORD_ITERATIONS: '100000' };

/**
 * The configuration from a Worker's `env` (vars and secrets; bindings are skipped).
 * Refuses, naming the variable, what Workers cannot do: no JWT_SECRET (there is no file
 * system to keep a generated one), `BUS=kafka` and `EMAIL_CHANNEL=smtp` (both need TCP).
 * The database is the Durable Object's own storage: DATABASE_URL does not apply.
 */
export function loadWorkerConfig(env: Record<string, unknown>): WorkerConfig {
  const strings = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const config = loadConfig({ ...WORKER_DEFAULTS, ...strings });
  if (!config.jwt.secret) throw new ConfigError('JWT_SECRET', 'is required on Workers (no file system to keep a generated one): `wrangler secret put JWT_SECRET`');
  if (config.bus === 'kafka') throw new ConfigError('BUS', 'must be "embedded" or "kafka-rest" on Workers: BUS=kafka needs TCP sockets (run Kafka consumers on a server)');
  if (config.email.channel === 'smtp') throw new ConfigError('EMAIL_CHANNEL', 'must be "log" on Workers: SMTP needs TCP sockets');
  return config as WorkerConfig;
}
