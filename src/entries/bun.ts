import type { Listen } from './run.ts';

/** Bun.serve on every interface; the peer address reaches the app as a binding. */
export const listenBun: Listen = (app, port) => {
  const server = Bun.serve({
    port,
    hostname: '0.0.0.0',
    fetch: (request, server) => app.fetch(request, { peerAddress: server.requestIP(request)?.address }),
  });
  return { url: `http://localhost:${server.port}`, stop: () => server.stop() };
};
