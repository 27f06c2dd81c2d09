import { listenBun } from './entries/bun.ts';
import { runServer } from './entries/run.ts';

// `npm start`: the API and every worker in one Bun process, on embedded defaults.
await runServer('Bun', listenBun, { workers: true });
