import { afterAll, expect, test } from 'bun:test';
import { freePort, killAll, spawnProcess, tempDataDir, waitForHttp } from './processes.ts';

/** `npm run dev` as a developer runs it: seeds a fresh database (DEV_SEED=1), serves /readyz, logs readable lines. */
const data = tempDataDir('platform-dev-');
afterAll(async () => {
  await killAll();
  data.remove();
});

test('npm run dev seeds a fresh database, serves /readyz with workers, and stops on SIGTERM', async () => {
  const port = await freePort();
  const env = { PORT: String(port), DATABASE_URL: data.databaseUrl, DATA_DIR: data.dir, DEV_SEED: '1', LOG_SILENT: '0', LOG_FORMAT: 'pretty', ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'correct-horse-battery-staple-42' };
  // Its own process group: npm starts sh, which starts bun --watch, which starts the server.
  const dev = spawnProcess('npm run dev', ['npm', 'run', 'dev'], env, { group: true });
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, dev, 90_000);
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(ready.status).toBe(200);
  expect(dev.output()).toMatch(/dev: seeded 50 customers/);
  expect(dev.output()).toContain('Workers:');
  // Pretty log lines: time, level, message; not JSON objects.
  await dev.waitForOutput(/\d\d:\d\d:\d\d\.\d{3} INFO /, 10_000);
  expect(dev.output()).not.toMatch(/^\{"level":/m);
  await dev.stop(5_000);
  expect(dev.alive).toBe(false);
}, 120_000);
