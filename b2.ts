import { onboardLua } from './bench/http.ts';
import { adminAuth, serve } from './bench/lib/servers.ts';
import { wrk } from './bench/lib/wrk.ts';
import { killAll } from './test/processes.ts';
for (const sync of ['full', 'normal']) {
  const api = await serve('api', 'src/server.ts', { DATABASE_SYNCHRONOUS: sync });
  const auth = await adminAuth(api.url);
  const r = await wrk(`${api.url}/v1/customers`, { seconds: 5, headers: auth, lua: onboardLua });
  console.log(sync, Math.round(r.rps), r.p99Ms, r.non2xx);
  await api.stop();
}
await killAll();
