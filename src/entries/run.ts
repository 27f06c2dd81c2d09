import { startWorkers, stopWorkers, type RunningWorker } from '../../workers/registry.ts';
import { createApp, type App } from '../app.ts';
import { bootstrap } from '../bootstrap.ts';
import { loadEnvFile } from './env-file.ts';

/** A listening HTTP server of one runtime (Bun.serve, @hono/node-server, Deno.serve). */
export interface Listener {
  url: string;
  stop(): Promise<void>;
}

/** Starts the runtime's HTTP server for the app on a port; the app reads the peer address from `peerAddress`. */
export type Listen = (app: App, port: number) => Listener | Promise<Listener>;

/**
 * The server runtimes' main (Bun, Node, Deno): bootstraps from the environment (and `.env`),
 * serves the API and, unless `api` only, runs every worker in the same process;
 * SIGINT/SIGTERM stop the server first, then the workers, then the database.
 */
export async function runServer(runtime: string, listen: Listen, options: { workers: boolean }): Promise<void> {
  const fromFile = loadEnvFile();
  const deps = await bootstrap(process.env);
  if (fromFile.length > 0) deps.logger.info('settings read from .env', { variables: fromFile });
  const server = await listen(createApp(deps), deps.config.port);
  const workers: RunningWorker[] = options.workers ? startWorkers(deps) : [];
  console.log(`Subscription Platform (${runtime}) running at ${server.url}`);
  console.log(`  Dashboard: ${server.url}/admin`);
  console.log(`  API docs:  ${server.url}/docs`);
  console.log(`  Log in:    curl -X POST ${server.url}/v1/auth/login -H 'content-type: application/json' -d '{"email":"…","password":"…"}'`);
  console.log(
    options.workers
      ? `  Workers:   ${workers.map((w) => w.name).join(', ')} on the ${deps.bus.name} bus; database ${deps.config.databaseUrl.split('?')[0]}`
      : `  Workers:   none in this process (API only); database ${deps.config.databaseUrl.split('?')[0]}`,
  );
  const shutdown = async () => {
    await server.stop();
    await stopWorkers(workers, deps.logger);
    deps.database.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
