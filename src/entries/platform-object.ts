import { applyBundledMigrations, openDurableObjectDatabase } from '../../db/durable-object.ts';
import { createPasses, type Passes } from '../../workers/passes.ts';
import { createApp, type App } from '../app.ts';
import { composeDeps } from '../compose.ts';
import { ConfigError } from '../config.ts';
import type { Deps } from '../deps.ts';
import { createContext, systemActor } from '../kernel/context.ts';
import { describeError } from '../kernel/errors.ts';
import { createLogger } from '../kernel/logger.ts';
import { problemFor } from '../http/problem.ts';
import { ensureFirstAdmin } from '../operators/first-admin.ts';
import { loadWorkerConfig } from './worker-config.ts';
import type { DurableObjectState } from './workers-types.ts';

/** The header by which the Worker's `scheduled` asks the object to run its passes; the Worker strips it from every client request. */
export const WAKE_HEADER = 'x-platform-wake';

/** The running platform inside the object, or why it could not start. */
type Started = { deps: Deps; app: App; passes: Passes } | { error: string };

/** Wait before a round of passes after one of them failed (a Kafka REST proxy down, say). */
const RETRY_AFTER_FAILURE_MS = 1_000;

/**
 * The single writer on Workers: a SQLite-backed Durable Object that runs the whole app
 * (`createApp`) over its own storage. Every request of every isolate comes here, so state,
 * outbox, audit and the idempotent response commit together in one database, as on a server.
 * The workers run as passes on the object's alarm, armed after each commit and re-armed
 * while they find work; `scheduled` (cron) wakes it for billing and retries that fall due.
 */
export class PlatformObject {
  private readonly state: DurableObjectState;
  private started: Started = { error: 'not started' };
  /** An alarm is set and has not run yet: further commits need not set it again. */
  private armed = false;
  /** When the last alarm was set for. */
  private alarmAt = 0;

  constructor(state: DurableObjectState, env: Record<string, unknown>) {
    this.state = state;
    void state.blockConcurrencyWhile(async () => {
      this.started = await start(state, env);
      if ('deps' in this.started) {
        this.started.deps.onCommit.add(() => this.arm());
        // Work left by an earlier life of the object (an eviction mid-flow) is picked up at once.
        this.arm();
      }
    });
  }

  /** Serves the API; the Worker's `scheduled` sends the wake header instead. */
  async fetch(request: Request): Promise<Response> {
    const started = this.started;
    if ('error' in started) return configurationProblem(started.error, new URL(request.url).pathname);
    if (request.headers.has(WAKE_HEADER)) {
      // The cron's wake sets an alarm whatever this object believes, so a lost one costs a minute at most.
      this.armed = false;
      this.arm();
      return new Response(null, { status: 204 });
    }
    return started.app.fetch(request, { peerAddress: request.headers.get('CF-Connecting-IP') ?? undefined });
  }

  /** Runs every worker pass once; commits made meanwhile set the next alarm, so it runs again until nothing is left. */
  async alarm(): Promise<void> {
    this.armed = false;
    const started = this.started;
    if ('error' in started) return;
    const report = await started.passes.runOnce();
    if (report.failed.length > 0 && !this.armed) {
      this.armed = true;
      await this.state.storage.setAlarm(this.nextAlarmAt(RETRY_AFTER_FAILURE_MS));
    }
  }

  /**
   * A time later than the alarm running now: the clock stands still between I/O on Workers, so
   * `Date.now()` inside the alarm handler can equal the running alarm's own time, and an alarm set
   * for that same time is taken as the one that just ran and dropped when the handler returns.
   */
  private nextAlarmAt(delayMs = 0): number {
    this.alarmAt = Math.max(Date.now() + delayMs, this.alarmAt + 1);
    return this.alarmAt;
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    this.state.storage.setAlarm(this.nextAlarmAt()).catch((error: unknown) => {
      this.armed = false;
      if ('deps' in this.started) this.started.deps.logger.error('could not set the alarm', { error: describeError(error) });
    });
  }
}

/** Reads the configuration, migrates the object's database, wires the app and makes sure there is an admin. */
async function start(state: DurableObjectState, env: Record<string, unknown>): Promise<Started> {
  let config;
  try {
    config = loadWorkerConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Configuration error: ${error.message}`);
    return { error: error.message };
  }
  const logger = createLogger({ silent: config.logSilent, level: config.logLevel });
  const database = openDurableObjectDatabase(state.storage);
  await applyBundledMigrations(database);
  const deps = composeDeps(config, { database, jwtSecret: config.jwt.secret, logger });
  const admin = await ensureFirstAdmin(createContext(deps, systemActor('bootstrap')), config.admin);
  if (admin) {
    logger.info(
      admin.password ? 'created the first admin; its generated password is shown once' : 'created the first admin (password from ADMIN_PASSWORD)',
      admin.password ? { email: admin.email, password: admin.password } : { email: admin.email },
    );
  }
  return { deps, app: createApp(deps), passes: createPasses(deps) };
}

/** The answer while the configuration is wrong: a bare 500 problem naming the variable, as a server would refuse to start. */
function configurationProblem(message: string, path: string): Response {
  return Response.json(problemFor('internal', `Configuration error: ${message}`, path), { status: 500, headers: { 'content-type': 'application/problem+json' } });
}
