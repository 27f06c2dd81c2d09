import { createClient } from '@libsql/client';
import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationsFolder } from './migrate.ts';

const dir = mkdtempSync(join(tmpdir(), 'currency-backfill-'));
const client = createClient({ url: `file:${join(dir, 'app.db')}` });
afterAll(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

const files = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).sort();
const apply = async (file: string) => client.executeMultiple(readFileSync(join(migrationsFolder, file), 'utf8'));

test('the currency migration gives existing subscriptions their plan version\'s currency and customers their oldest subscription\'s', async () => {
  const currencies = files.findIndex((f) => f.endsWith('_currencies.sql'));
  for (const file of files.slice(0, currencies)) await apply(file);

  await client.executeMultiple(`
    INSERT INTO plans (id, code, current_version, status, created_at, updated_at) VALUES ('pln_a', 'a', 2, 'active', 0, 0);
    INSERT INTO plan_versions (plan_id, version, name, price_amount, currency, interval, trial_days, included_tokens, overage_price_per_1k, quota_policy, features, created_at)
      VALUES ('pln_a', 1, 'A', 100, 'USD', 'month', 0, 0, 0, 'block', '[]', 0), ('pln_a', 2, 'A', 90, 'EUR', 'month', 0, 0, 0, 'block', '[]', 0);
    INSERT INTO customers (id, kind, status, segment, version, created_at, updated_at) VALUES ('cus_old', 'sme', 'active', 'bronze', 1, 0, 0), ('cus_none', 'sme', 'active', 'bronze', 1, 0, 0);
    INSERT INTO subscriptions (id, customer_id, plan_id, plan_version, status, anchor, current_period_start, current_period_end, created_at, updated_at, version)
      VALUES ('sub_1', 'cus_old', 'pln_a', 1, 'active', 0, 0, 1, 0, 0, 1), ('sub_2', 'cus_old', 'pln_a', 2, 'active', 0, 0, 1, 0, 0, 1);
  `);
  for (const file of files.slice(currencies)) await apply(file);

  const subs = await client.execute('SELECT id, currency FROM subscriptions ORDER BY id');
  expect(subs.rows.map((r) => [r.id, r.currency])).toEqual([['sub_1', 'USD'], ['sub_2', 'EUR']]);
  const customers = await client.execute('SELECT id, currency FROM customers ORDER BY id');
  expect(customers.rows.map((r) => [r.id, r.currency])).toEqual([['cus_none', null], ['cus_old', 'USD']]);
});
