import { bootstrap } from '../src/bootstrap.ts';
import { loadEnvFile } from '../src/entries/env-file.ts';
import { startWorkers, stopWorkers, type WorkerName } from './registry.ts';

/** Runs workers as a process of their own until SIGINT/SIGTERM. */
export async function runWorkers(names?: readonly WorkerName[]): Promise<void> {
  const fromFile = loadEnvFile();
  const deps = await bootstrap(process.env);
  if (fromFile.length > 0) deps.logger.info('settings read from .env', { variables: fromFile });
  const workers = startWorkers(deps, names);
  deps.logger.info('workers started', { workers: workers.map((w) => w.name), bus: deps.bus.name });
  const shutdown = async () => {
    await stopWorkers(workers, deps.logger);
    deps.database.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
