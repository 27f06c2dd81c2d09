import type { Row } from './lib/report.ts';
import { adminAuth, postJson, serve } from './lib/servers.ts';
import { wrk } from './lib/wrk.ts';

/** wrk Lua that posts a new customer per request (unique email per run and request). */
export const onboardLua = `
local n = 0
local run = tostring(os.time()) .. tostring(math.random(1000000))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local body = string.format('{"name":"Bench %d","email":"b%s-%d@bench.example","kind":"sme","country":"DE"}', n, run, n)
  return wrk.format("POST", "/v1/customers", nil, body)
end
`;

/** The Hono JSON hello-world on Bun: every HTTP ratio is against this, measured now. */
export async function helloCeiling(seconds: number): Promise<number> {
  const hello = await serve('hello', 'bench/hello-server.ts');
  try {
    await wrk(`${hello.url}/`, { seconds: 1 }); // warm-up
    return (await wrk(`${hello.url}/`, { seconds })).rps;
  } finally {
    await hello.stop();
  }
}

/** Onboards new customers as fast as wrk sends them; fails on any refused request. */
async function onboardRate(url: string, auth: Record<string, string>, seconds: number, synchronous: string, hello: number): Promise<Row> {
  const post = await wrk(`${url}/v1/customers`, { seconds, headers: auth, lua: onboardLua });
  if (post.non2xx > 0) throw new Error(`POST /v1/customers answered ${post.non2xx} non-2xx responses`);
  return { name: `POST /v1/customers (API only, DATABASE_SYNCHRONOUS=${synchronous})`, figure: post.rps, unit: `req/s, p99 ${post.p99Ms.toFixed(1)} ms`, ceilingName: 'Hono hello-world req/s', ceiling: hello, target: 0.1 };
}

/** 1 and 2: GET a customer by id, and onboard customers, on the API alone (durability as configured: FULL by default). */
export async function apiOnly(seconds: number, hello: number): Promise<Row[]> {
  const api = await serve('api', 'src/server.ts', { DATABASE_SYNCHRONOUS: 'full' });
  try {
    const auth = await adminAuth(api.url);
    const customer = await postJson<{ id: string }>(`${api.url}/v1/customers`, { name: 'Bench', email: 'get@bench.example', kind: 'sme', country: 'DE' }, auth);
    await wrk(`${api.url}/v1/customers/${customer.id}`, { seconds: 1, headers: auth });
    const get = await wrk(`${api.url}/v1/customers/${customer.id}`, { seconds, headers: auth });
    if (get.non2xx > 0) throw new Error(`GET by id answered ${get.non2xx} non-2xx responses`);
    return [
      { name: 'GET /v1/customers/:id (API only, authenticated)', figure: get.rps, unit: `req/s, p99 ${get.p99Ms.toFixed(1)} ms`, ceilingName: 'Hono hello-world req/s', ceiling: hello, target: 0.4 },
      await onboardRate(api.url, auth, seconds, 'full', hello),
    ];
  } finally {
    await api.stop();
  }
}

/** 2 again with `synchronous = NORMAL`: what the durability setting costs. */
export async function onboardNormal(seconds: number, hello: number): Promise<Row[]> {
  const api = await serve('api', 'src/server.ts', { DATABASE_SYNCHRONOUS: 'normal' });
  try {
    return [await onboardRate(api.url, await adminAuth(api.url), seconds, 'normal', hello)];
  } finally {
    await api.stop();
  }
}
