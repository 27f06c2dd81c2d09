import { runWorkers } from './run.ts';

await runWorkers(['usage-ingest']);
