import { runWorkers } from './run.ts';

await runWorkers(['customer-notifications']);
