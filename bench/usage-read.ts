import LibsqlDatabase from 'libsql';
import { rmSync } from 'node:fs';
import { percentile, type Row } from './lib/report.ts';
import { adminAuth, postJson, serve, type Served } from './lib/servers.ts';

/** Events seeded into one customer's period (BENCH_USAGE_EVENTS to change it). */
const EVENTS = Number(process.env.BENCH_USAGE_EVENTS ?? 10_000_000);
const REQUESTS = 2000;
const MODELS = Array.from({ length: 50 }, (_, i) => `model-${String(i).padStart(2, '0')}`);
const TOKEN_TYPES = ['input', 'output', 'cached'];
/** Rows per multi-row INSERT, and INSERTs per transaction. */
const ROWS_PER_INSERT = 500;
const INSERTS_PER_TX = 200;

interface Seeded {
  total: number;
  seconds: number;
}

/**
 * Writes `events` token records of one subscription's period straight into the database file
 * (the API stopped), with the aggregate rows and period totals the ingest path would have written
 * for them: 50 models × 3 token types = 150 aggregate rows. Multi-row inserts, 100,000 rows a transaction.
 */
function seed(file: string, customerId: string, subscriptionId: string, periodStart: number, now: number, events: number): Seeded {
  const started = performance.now();
  const db = new LibsqlDatabase(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const row = `(?, ?, ?, ?, ?, ?, ?, 0, ?, 'ai_tokens', ?)`;
    const sqlFor = (n: number) =>
      `insert into usage_records (customer_id, client_id, subscription_id, model, tokens, occurred_at, period_start, overage_tokens, recorded_at, meter, properties) values ${Array.from({ length: n }, () => row).join(', ')}`;
    const many = db.prepare(sqlFor(ROWS_PER_INSERT));
    const sums = new Map<string, { model: string; type: string; quantity: number }>();
    const span = Math.max(1, now - periodStart);
    let total = 0;
    let written = 0;
    const params: (string | number)[] = [];
    const flush = (n: number) => {
      if (n === ROWS_PER_INSERT) many.run(params);
      else if (n > 0) db.prepare(sqlFor(n)).run(params);
      params.length = 0;
    };
    while (written < events) {
      db.exec('BEGIN');
      for (let s = 0; s < INSERTS_PER_TX && written < events; s++) {
        const n = Math.min(ROWS_PER_INSERT, events - written);
        for (let i = 0; i < n; i++) {
          const k = written + i;
          const model = MODELS[k % MODELS.length]!;
          const type = TOKEN_TYPES[Math.floor(k / MODELS.length) % TOKEN_TYPES.length]!;
          const tokens = 1 + (k % 997);
          const at = periodStart + (k % span);
          params.push(customerId, `ev-${String(k).padStart(9, '0')}`, subscriptionId, model, tokens, at, periodStart, at, `{"token_type":"${type}"}`);
          const key = `${model}|${type}`;
          const sum = sums.get(key) ?? { model, type, quantity: 0 };
          sum.quantity += tokens;
          sums.set(key, sum);
          total += tokens;
        }
        flush(n);
        written += n;
      }
      db.exec('COMMIT');
    }
    db.exec('BEGIN');
    const aggregate = db.prepare(
      `insert into usage_aggregates (subscription_id, period_start, meter, dimensions, quantity, latest_at, updated_at) values (?, ?, 'ai_tokens', ?, ?, ?, ?)
       on conflict (subscription_id, period_start, meter, dimensions) do update set quantity = quantity + excluded.quantity`,
    );
    for (const { model, type, quantity } of sums.values()) aggregate.run(subscriptionId, periodStart, JSON.stringify({ model, token_type: type }), quantity, now, now);
    db.prepare(
      `insert into usage_periods (subscription_id, period_start, used_tokens, overage_tokens, quota_exceeded, updated_at) values (?, ?, ?, 0, 0, ?)
       on conflict (subscription_id, period_start) do update set used_tokens = used_tokens + excluded.used_tokens`,
    ).run(subscriptionId, periodStart, total, now);
    db.exec('COMMIT');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { total, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}

/** Milliseconds of each of `n` GETs sent one after another, after a warm-up. */
async function latencies(url: string, headers: Record<string, string>, n: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) await (await fetch(url, { headers })).arrayBuffer();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    out.push(performance.now() - start);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  }
  return out;
}

/** The ceiling: the p50/p99 of Hono's hello-world on the same runtime, measured the same way. */
async function helloLatency(): Promise<{ p50: number; p99: number }> {
  const hello = await serve('hello', 'bench/hello-server.ts');
  try {
    const ms = await latencies(`${hello.url}/`, {}, REQUESTS);
    return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
  } finally {
    await hello.stop();
  }
}

/**
 * 6: GET /v1/subscriptions/:id/usage over a period of 10,000,000 usage events (150 aggregate rows:
 * 50 models × 3 token types, priced per model), p50/p99 of 2,000 requests one after another,
 * against Hono's hello-world p99 measured the same way in this run.
 */
export async function usageRead(): Promise<Row[]> {
  const first = await serve('api', 'src/server.ts');
  let second: Served | null = null;
  try {
    const auth = await adminAuth(first.url);
    const charge = {
      meter: 'ai_tokens',
      model: 'per_unit',
      unit_price: '0.0002',
      prices: [
        ...MODELS.slice(0, 10).map((model) => ({ dimensions: { model }, unit_price: '0.001' })),
        ...MODELS.slice(10, 15).map((model) => ({ dimensions: { model, token_type: 'output' }, unit_price: '0.004' })),
      ],
    };
    const plan = await postJson<{ id: string }>(`${first.url}/v1/plans`, { code: 'bench-read', name: 'Bench read', price_amount: 1000, currency: 'EUR', interval: 'month', trial_days: 0, quota_policy: 'overage', charges: [charge] }, auth);
    const customer = await postJson<{ id: string }>(`${first.url}/v1/customers`, { name: 'Usage read bench', email: 'read@bench.example', kind: 'sme', country: 'DE', payment_method: 'tok_ok' }, auth);
    const sub = await postJson<{ id: string }>(`${first.url}/v1/subscriptions`, { customer_id: customer.id, plan_id: plan.id, trial: false }, auth);
    const period = (await (await fetch(`${first.url}/v1/subscriptions/${sub.id}/usage`, { headers: auth })).json()) as { period_start: string };
    await first.child.kill('SIGTERM');

    const seeded = seed(first.databaseUrl.replace(/^file:/, ''), customer.id, sub.id, Date.parse(period.period_start), Date.now(), EVENTS);
    console.log(`usage read: seeded ${EVENTS.toLocaleString('en-US')} events (${seeded.total.toLocaleString('en-US')} tokens) in ${seeded.seconds.toFixed(1)} s`);

    second = await serve('api', 'src/server.ts', { DATABASE_URL: first.databaseUrl, DATA_DIR: first.dir });
    const auth2 = await adminAuth(second.url);
    const url = `${second.url}/v1/subscriptions/${sub.id}/usage`;
    const answer = (await (await fetch(url, { headers: auth2 })).json()) as { used_tokens: number; meters: { meter: string; quantity: number; groups: unknown[] }[] };
    const tokens = answer.meters.find((m) => m.meter === 'ai_tokens');
    if (answer.used_tokens !== seeded.total || tokens?.quantity !== seeded.total || tokens.groups.length !== MODELS.length * TOKEN_TYPES.length) {
      throw new Error(`the usage read answered ${tokens?.quantity} tokens in ${tokens?.groups.length} groups (used_tokens ${answer.used_tokens}); ${seeded.total} were seeded in 150`);
    }
    const ms = await latencies(url, auth2, REQUESTS);
    const p50 = percentile(ms, 50);
    const p99 = percentile(ms, 99);
    const hello = await helloLatency();
    const size = `${(EVENTS / 1_000_000).toLocaleString('en-US')}M events`;
    return [
      { name: `GET /v1/subscriptions/:id/usage p50, ${size}`, figure: p50, unit: 'ms', ceilingName: 'Hono hello-world p50 ms', ceiling: hello.p50 },
      { name: `GET /v1/subscriptions/:id/usage p99, ${size}`, figure: p99, unit: 'ms', ceilingName: 'Hono hello-world p99 ms', ceiling: hello.p99, note: `p99 ≤ 10 ms ${p99 <= 10 ? 'met' : 'NOT met'}; seeded in ${Math.round(seeded.seconds)} s` },
    ];
  } finally {
    await second?.stop();
    await first.child.kill('SIGKILL').catch(() => null);
    rmSync(first.dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { printTable } = await import('./lib/report.ts');
  printTable(await usageRead());
  process.exit(0);
}
