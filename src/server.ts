import { createApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import type { Deps } from './deps.ts';

/** Serves the API on the configured port (Bun). Returns a stop function. */
export function serve(deps: Deps): { url: string; stop(): Promise<void> } {
  const app = createApp(deps);
  const server = Bun.serve({
    port: deps.config.port,
    hostname: '0.0.0.0',
    // The peer address reaches the app as a binding, so shared code never asks the runtime.
    fetch: (request, server) => app.fetch(request, { peerAddress: server.requestIP(request)?.address }),
  });
  return { url: `http://localhost:${server.port}`, stop: () => server.stop() };
}

if (import.meta.main) {
  const deps = await bootstrap(process.env);
  const { url } = serve(deps);
  console.log(`API listening on ${url} (docs at ${url}/docs). Log in with POST ${url}/v1/auth/login.`);
}
