import { createTestPlatform } from '../test/harness.ts';
import { createEmbeddedRateLimiter } from '../src/limits/embedded.ts';
import type { RateLimiter } from '../src/limits/rate-limiter.ts';
import { printTable, type Row } from './lib/report.ts';

// `npx bun bench/rate-limit.ts [seconds]`: what the per-principal rate limit costs on
// GET /v1/customers/:id, in process (app.request, 32 requests in flight, one token,
// DATABASE_SYNCHRONOUS=full), against the same loop with the limit off.
const seconds = Number(process.argv[2] ?? 2);
const LIMIT = 1_000_000_000; // never reached: the figure is the counting, not refusals
const p = await createTestPlatform({ env: { DATABASE_SYNCHRONOUS: 'full' } });

async function rate(limit: number, limiter?: RateLimiter): Promise<number> {
  p.deps.settings.limits.perPrincipal = limit;
  if (limiter) p.deps.rateLimiter = limiter;
  const token = await p.tokenFor('viewer');
  const customer = (await p.call<{ id: string }>('GET', '/v1/customers?limit=1')).body as unknown as { data: { id: string }[] };
  const path = `/v1/customers/${customer.data[0]!.id}`;
  const headers = { Authorization: `Bearer ${token}` };
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (performance.now() < end) {
        const res = await p.app.request(path, { headers });
        if (res.status !== 200) throw new Error(`GET answered ${res.status}`);
        await res.arrayBuffer();
        done++;
      }
    }),
  );
  return done / seconds;
}

const limiter = (batch: number) => createEmbeddedRateLimiter({ transactor: p.deps.transactor, clock: p.deps.clock, windowMs: 60_000, batchFraction: batch / LIMIT });
const variants: { name: string; limit: number; limiter?: () => RateLimiter }[] = [
  { name: 'GET /v1/customers/:id, limit off', limit: 0 },
  { name: 'limited, counting in memory (one write per 1,000,000 requests)', limit: LIMIT, limiter: () => limiter(1_000_000) },
  { name: 'limited, one write per 120 requests (the default 6000/min reserves 120 at a time)', limit: LIMIT, limiter: () => limiter(120) },
  { name: 'limited, one write per request (a limit under 50/min)', limit: LIMIT, limiter: () => limiter(1) },
];
try {
  await p.call('POST', '/v1/customers', { body: { name: 'Bench', email: 'rate@bench.example', kind: 'sme', country: 'DE' } });
  await rate(0); // warm-up
  // Interleaved rounds, best of each: the machine is shared, and a slow moment should not land on one variant.
  const best = variants.map(() => 0);
  for (let round = 0; round < 3; round++) {
    for (const [i, v] of variants.entries()) best[i] = Math.max(best[i]!, await rate(v.limit, v.limiter?.()));
  }
  const rows: Row[] = variants.map((v, i) => ({ name: v.name, figure: best[i]!, unit: 'req/s', ceilingName: 'same loop, limit off', ceiling: best[0]! }));
  console.log(`\nRate-limit cost on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, best of 3 × ${seconds} s per figure, in process:\n`);
  printTable(rows);
} finally {
  await p.close();
}
