import { listenBun } from './entries/bun.ts';
import { runServer } from './entries/run.ts';

// `npm run start:api`: the API alone on Bun; workers run elsewhere (`npm run start:workers`).
await runServer('Bun', listenBun, { workers: false });
