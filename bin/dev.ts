#!/usr/bin/env bun
import { bootstrap } from '../src/bootstrap.ts';
import { listenBun } from '../src/entries/bun.ts';
import { loadEnvFile } from '../src/entries/env-file.ts';
import { runServer } from '../src/entries/run.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { countCustomers, seed } from './seed.ts';

/**
 * `npm run dev`: the API and every worker in one Bun process (as `npm start`), run under
 * `bun --watch` so a saved file restarts it, with readable log lines (LOG_FORMAT defaults to
 * pretty here). `--seed` or DEV_SEED=1 first fills a fresh database with the demo year of
 * `platform seed`; a database that has customers is left as it is (so a restart does not seed again).
 */
loadEnvFile();
process.env.LOG_FORMAT ??= 'pretty';

if (process.argv.includes('--seed') || process.env.DEV_SEED === '1' || process.env.DEV_SEED === 'true') {
  const clock = manualClock(Date.now());
  const deps = await bootstrap(process.env, { clock });
  try {
    const existing = await countCustomers(deps);
    if (existing > 0) {
      console.log(`dev: not seeding, the database already has ${existing} customers`);
    } else {
      console.log('dev: seeding a demo year (platform seed) …');
      const s = await seed(deps, clock, { force: false, progress: process.stderr.isTTY === true });
      console.log(`dev: seeded ${s.customers} customers, ${s.subscriptions} subscriptions in ${s.seconds.toFixed(1)} s`);
    }
  } finally {
    await deps.bus.close().catch(() => undefined);
    deps.database.close();
  }
}

await runServer('Bun, dev', listenBun, { workers: true });
