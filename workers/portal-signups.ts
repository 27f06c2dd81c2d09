import { runWorkers } from './run.ts';

await runWorkers(['portal-signups']);
