import { runWorkers } from './run.ts';

await runWorkers(['invoice-documents']);
