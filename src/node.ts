import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { runServer } from './entries/run.ts';

// `npm run start:node`: the API and every worker on Node ≥ 22.18, which runs these TypeScript sources as they are.
await runServer(
  'Node',
  (app, port) =>
    new Promise((resolve) => {
      const server = serve(
        { port, hostname: '0.0.0.0', fetch: (request, env) => app.fetch(request, { peerAddress: env.incoming.socket.remoteAddress }) },
        (info: AddressInfo) =>
          resolve({
            url: `http://localhost:${info.port}`,
            stop: () => new Promise<void>((done) => server.close(() => done())),
          }),
      );
    }),
  { workers: true },
);
