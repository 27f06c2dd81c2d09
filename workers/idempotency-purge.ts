import { runWorkers } from './run.ts';

await runWorkers(['idempotency-purge']);
