import { runServer } from './entries/run.ts';

declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?(addr: { port: number }): void },
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
};

// `npm run start:deno` (or `deno task start`): the API and every worker on Deno.
await runServer(
  'Deno',
  (app, port) => {
    const server = Deno.serve({ port, hostname: '0.0.0.0', onListen: () => undefined }, (request, info) => app.fetch(request, { peerAddress: info.remoteAddr.hostname }));
    return { url: `http://localhost:${server.addr.port}`, stop: () => server.shutdown() };
  },
  { workers: true },
);
