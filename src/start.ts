import { startWorkers, stopWorkers } from '../workers/registry.ts';
import { bootstrap } from './bootstrap.ts';
import { serve } from './server.ts';

// `npm start`: the API and every worker in one process, on embedded defaults.
const deps = await bootstrap(process.env);
const server = serve(deps);
const workers = startWorkers(deps);
console.log(`Subscription Platform running at ${server.url}`);
console.log(`  API docs:  ${server.url}/docs`);
console.log(`  Log in:    curl -X POST ${server.url}/v1/auth/login -H 'content-type: application/json' -d '{"email":"…","password":"…"}'`);
console.log(`  Workers:   ${workers.map((w) => w.name).join(', ')} on the ${deps.bus.name} bus; database ${deps.config.databaseUrl.split('?')[0]}`);

const shutdown = async () => {
  await server.stop();
  await stopWorkers(workers, deps.logger);
  deps.database.close();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
