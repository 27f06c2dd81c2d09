import { createClient } from '@libsql/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from './lib/report.ts';
import { adminAuth, postJson, serve } from './lib/servers.ts';

const BATCH = 1000;

/** The ceiling: rows of a usage-record shape inserted 1,000 per transaction, same driver and pragmas as the product. */
async function rawInsertRate(seconds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
  const db = createClient({ url: `file:${join(dir, 'raw.db')}`, intMode: 'number' });
  try {
    await db.execute('PRAGMA journal_mode = WAL');
    await db.execute('PRAGMA synchronous = NORMAL');
    await db.execute(`create table usage_records (id text primary key, subscription_id text not null, customer_id text not null, model text not null,
      tokens integer not null, occurred_at integer not null, period_start integer not null, overage_tokens integer not null, recorded_at integer not null)`);
    await db.execute('create index usage_records_subscription_period on usage_records (subscription_id, period_start)');
    await db.execute('create index usage_records_customer on usage_records (customer_id)');
    let rows = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const now = Date.now();
      await db.batch(
        Array.from({ length: BATCH }, (_, i) => ({
          sql: 'insert into usage_records values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          args: [`raw-${rows + i}`, 'sub_x', 'cus_x', 'gpt-x', 100, now, now, 0, now],
        })),
        'write',
      );
      rows += BATCH;
    }
    return rows / ((performance.now() - start) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 5: POST /v1/usage with 1,000 records per request, one request after another, on the API alone. */
export async function usage(seconds: number): Promise<Row[]> {
  const raw = await rawInsertRate(seconds);
  const api = await serve('api', 'src/server.ts');
  try {
    const auth = await adminAuth(api.url);
    const plan = await postJson<{ id: string }>(`${api.url}/v1/plans`, {
      code: 'bench', name: 'Bench', price_amount: 1000, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 1_000_000_000, overage_price_per_1k: 1, quota_policy: 'overage',
    }, auth);
    const customer = await postJson<{ id: string }>(`${api.url}/v1/customers`, { name: 'Usage bench', email: 'usage@bench.example', kind: 'sme', country: 'DE', payment_method: 'tok_ok' }, auth);
    await postJson(`${api.url}/v1/subscriptions`, { customer_id: customer.id, plan_id: plan.id, trial: false }, auth);
    let records = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const occurred_at = new Date().toISOString();
      const batch = Array.from({ length: BATCH }, (_, i) => ({ id: `u-${records + i}`, customer_id: customer.id, model: 'gpt-x', tokens: 100, occurred_at }));
      const result = await postJson<{ accepted: number }>(`${api.url}/v1/usage`, { records: batch }, auth);
      if (result.accepted !== BATCH) throw new Error(`only ${result.accepted} of ${BATCH} usage records accepted`);
      records += BATCH;
    }
    const rate = records / ((performance.now() - start) / 1000);
    return [{ name: 'POST /v1/usage, 1,000 records a request', figure: rate, unit: 'records/s', ceilingName: 'raw batched inserts rows/s (@libsql/client)', ceiling: raw, target: 0.25 }];
  } finally {
    await api.stop();
  }
}
