import { runWorkers } from './run.ts';

await runWorkers(['audit-ingest']);
