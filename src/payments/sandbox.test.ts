import { afterEach, expect, test } from 'bun:test';
import { openDatabase, type Database } from '../../db/client.ts';
import { openTempDatabase } from '../../test/processes.ts';
import { composeDeps } from '../compose.ts';
import { loadConfig } from '../config.ts';
import { ProviderTimeoutError } from './provider.ts';
import type { SandboxProvider } from './sandbox.ts';

let temp: Awaited<ReturnType<typeof openTempDatabase>> | undefined;
const opened: Database[] = [];
afterEach(() => {
  for (const database of opened.splice(0)) database.close();
  temp?.remove();
});

/** The payment provider as the platform composes it (the sandbox by default) over the database at `url`: one call per process start. */
async function start(url: string): Promise<SandboxProvider> {
  const database = await openDatabase(url);
  opened.push(database);
  const deps = composeDeps(loadConfig({ DATABASE_URL: url, LOG_SILENT: '1' }), { database, jwtSecret: 'a-test-secret-that-is-long-enough-0123456789' });
  return deps.payments as SandboxProvider;
}

const charge = (key: string, paymentMethod = 'tok_ok') => ({ idempotencyKey: key, amount: 4900, currency: 'EUR', paymentMethod, description: `Invoice for ${key}` });

test('after a restart over the same database the sandbox gives new charges new references and answers a known key with its first charge', async () => {
  temp = await openTempDatabase('sandbox-provider-');
  temp.database.close();
  const before = await start(temp.databaseUrl);
  const first = await before.charge(charge('pay_a'));
  const declined = await before.charge(charge('pay_b', 'tok_decline'));
  await expect(before.charge(charge('pay_c', 'tok_timeout_after_charge'))).rejects.toBeInstanceOf(ProviderTimeoutError);
  expect(first).toEqual({ status: 'succeeded', reference: 'sbx_ch_1' });

  const after = await start(temp.databaseUrl);
  const next = await after.charge(charge('pay_d'));
  expect(next.status).toBe('succeeded');
  expect(next).not.toEqual(first);
  // The same keys: the first answers, nothing charged again (a decline stays a decline even with a good card now).
  expect(await after.charge(charge('pay_a'))).toEqual(first);
  expect(await after.charge(charge('pay_b', 'tok_ok'))).toEqual(declined);
  const lost = await after.charge(charge('pay_c', 'tok_timeout_after_charge'));
  expect(lost.status).toBe('succeeded');

  const refund = { idempotencyKey: 'pay_a:refund', chargeKey: 'pay_a', amount: 4900, currency: 'EUR', reason: 'test' };
  const refunded = await after.refund(refund);
  expect(refunded.status).toBe('refunded');
  const third = await start(temp.databaseUrl);
  expect(await third.refund(refund)).toEqual(refunded);
  expect(await third.refund({ ...refund, idempotencyKey: 'pay_a:again' })).toEqual({ status: 'no_charge' });

  const ledger = await third.ledger();
  expect(ledger.map((c) => [c.key, c.refunded])).toEqual([['pay_a', true], ['pay_c', false], ['pay_d', false]]);
  expect(new Set(ledger.map((c) => c.reference)).size).toBe(3);
});
