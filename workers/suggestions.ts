import { runWorkers } from './run.ts';

await runWorkers(['suggestions']);
