import { runWorkers } from './run.ts';
import { workerNames, type WorkerName } from './registry.ts';

// `bun workers/all.ts` runs every worker; `bun workers/all.ts billing relay` runs just those
// (`npm run start:workers -- billing`), so any worker of the table runs alone without a script of its own.
const asked = [...new Set(process.argv.slice(2))];
const unknown = asked.filter((name) => !(workerNames as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown worker ${unknown.join(', ')}: the workers are ${workerNames.join(', ')}`);
  process.exit(2);
}
await runWorkers(asked.length > 0 ? (asked as WorkerName[]) : undefined);
