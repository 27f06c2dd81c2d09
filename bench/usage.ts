import LibsqlDatabase from 'libsql';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from './lib/report.ts';
import { adminAuth, postJson, serve } from './lib/servers.ts';

const BATCH = 1000;

/** The ceiling: rows of a usage-record shape inserted 1,000 per transaction through the product's driver (libsql, synchronous) and pragmas. */
function rawInsertRate(seconds: number, synchronous: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
  const db = new LibsqlDatabase(join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec(`create table usage_records (customer_id text not null, client_id text not null, subscription_id text not null, model text not null,
      tokens integer not null, occurred_at integer not null, period_start integer not null, overage_tokens integer not null, recorded_at integer not null,
      primary key (customer_id, client_id))`);
    db.exec('create index usage_records_subscription_period on usage_records (subscription_id, period_start)');
    const insert = db.prepare('insert into usage_records values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    let rows = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const now = Date.now();
      db.exec('BEGIN');
      for (let i = 0; i < BATCH; i++) insert.run('cus_x', `raw-${rows + i}`, 'sub_x', 'gpt-x', 100, now, now, 0, now);
      db.exec('COMMIT');
      rows += BATCH;
    }
    return rows / ((performance.now() - start) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Posts batches of `make(offset)` one after another for `seconds`; records a second. */
async function postBatches(url: string, auth: Record<string, string>, seconds: number, make: (offset: number, at: string) => unknown[]): Promise<number> {
  let records = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const batch = make(records, new Date().toISOString());
    const result = await postJson<{ accepted: number }>(`${url}/v1/usage`, { records: batch }, auth);
    if (result.accepted !== BATCH) throw new Error(`only ${result.accepted} of ${BATCH} usage records accepted`);
    records += BATCH;
  }
  return records / ((performance.now() - start) / 1000);
}

const TOKEN_TYPES = ['input', 'output', 'cached'] as const;
const REGIONS = ['eu', 'us', 'ap'];
const METHODS = ['GET', 'POST'];

/**
 * 5: POST /v1/usage with 1,000 records per request, one request after another, on the API alone:
 * token records of one counter, then a mix through meters (token records with `token_type`, and
 * usage events on a custom sum meter with two dimensions, half each).
 */
export async function usage(seconds: number): Promise<Row[]> {
  const raw = rawInsertRate(seconds, 'FULL');
  const api = await serve('api', 'src/server.ts');
  try {
    const auth = await adminAuth(api.url);
    const plan = await postJson<{ id: string }>(`${api.url}/v1/plans`, {
      code: 'bench', name: 'Bench', price_amount: 1000, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 1_000_000_000, overage_price_per_1k: 1, quota_policy: 'overage',
    }, auth);
    await postJson(`${api.url}/v1/meters`, { code: 'api_calls', name: 'API calls', aggregation: 'sum', value_property: 'calls', group_by: ['region', 'method'] }, auth);
    const customer = await postJson<{ id: string }>(`${api.url}/v1/customers`, { name: 'Usage bench', email: 'usage@bench.example', kind: 'sme', country: 'DE', payment_method: 'tok_ok' }, auth);
    await postJson(`${api.url}/v1/subscriptions`, { customer_id: customer.id, plan_id: plan.id, trial: false }, auth);
    const counter = await postBatches(api.url, auth, seconds, (offset, occurred_at) =>
      Array.from({ length: BATCH }, (_, i) => ({ id: `u-${offset + i}`, customer_id: customer.id, model: 'gpt-x', tokens: 100, occurred_at })),
    );
    const metered = await postBatches(api.url, auth, seconds, (offset, at) =>
      Array.from({ length: BATCH }, (_, i) =>
        i % 2 === 0
          ? { id: `m-${offset + i}`, customer_id: customer.id, model: 'gpt-x', tokens: 100, token_type: TOKEN_TYPES[i % 3], occurred_at: at }
          : { id: `m-${offset + i}`, customer_id: customer.id, meter: 'api_calls', timestamp: at, properties: { calls: 3, region: REGIONS[i % 3]!, method: METHODS[(i >> 1) % 2]! } },
      ),
    );
    const ceiling = { ceilingName: 'raw batched inserts rows/s (libsql, same pragmas)', ceiling: raw, target: 0.25 };
    return [
      { name: 'POST /v1/usage, 1,000 token records a request', figure: counter, unit: 'records/s', ...ceiling },
      { name: 'POST /v1/usage, 1,000 records a request through meters (tokens by token_type, a 2-dimension sum meter)', figure: metered, unit: 'events/s', ...ceiling },
    ];
  } finally {
    await api.stop();
  }
}
