import LibsqlDatabase from 'libsql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../db/client.ts';
import { applyMigrations } from '../db/migrate.ts';
import { customerKinds, customerSegments, customerStatuses } from '../db/schema/index.ts';
import { newId } from '../src/kernel/ids.ts';
import { tempDataDir } from '../test/processes.ts';
import type { Row } from './lib/report.ts';
import { adminAuth, serve } from './lib/servers.ts';
import { wrk } from './lib/wrk.ts';

const BATCH = 10_000;

/** A database with `count` customers, written straight through the driver (the API would take minutes for a million). */
async function seeded(count: number): Promise<{ dir: string; databaseUrl: string; sampleId: string; remove(): void }> {
  const data = tempDataDir('bench-scale-');
  const database = await openDatabase(data.databaseUrl);
  await applyMigrations(database);
  database.close();
  const raw = new LibsqlDatabase(join(data.dir, 'app.db'));
  const insert = raw.prepare(
    `insert into customers (id, name, email, kind, country, phone, metadata, status, segment, tax_rate_bps, payment_method, version, erased_at, created_at, updated_at)
     values (?, ?, ?, ?, 'DE', null, '{}', ?, ?, 0, null, 1, null, ?, ?)`,
  );
  const start = Date.now() - count;
  let sampleId = '';
  for (let done = 0; done < count; done += BATCH) {
    raw.exec('BEGIN');
    for (let i = done; i < Math.min(count, done + BATCH); i++) {
      const at = start + i;
      const id = newId('cus', at);
      if (i === Math.floor(count / 2)) sampleId = id;
      insert.run(id, `Customer ${i}`, `c${i}@scale.example`, customerKinds[i % customerKinds.length], customerStatuses[i % 3], customerSegments[i % customerSegments.length], at, at);
    }
    raw.exec('COMMIT');
  }
  raw.close();
  return { ...data, sampleId };
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

interface Figures {
  p99: Record<string, number>;
  rss: number;
}

/** p99 of each read at one size, against `npm start` (API and idle workers) on that database. */
async function measure(count: number, seconds: number): Promise<Figures> {
  const data = await seeded(count);
  const app = await serve('start', 'src/start.ts', { DATABASE_URL: data.databaseUrl, DATA_DIR: data.dir });
  try {
    const headers = await adminAuth(app.url);
    const n = Math.floor(count / 2);
    const reads: Record<string, string> = {
      'GET /v1/customers/:id': `/v1/customers/${data.sampleId}`,
      'GET /v1/customers (first page)': '/v1/customers?limit=20',
      'GET /v1/customers?status=active': '/v1/customers?status=active&limit=20',
      'GET /v1/customers?q= (search)': `/v1/customers?q=${encodeURIComponent(`c${n}@scale`)}&limit=20`,
    };
    const p99: Record<string, number> = {};
    for (const [name, path] of Object.entries(reads)) {
      const check = await fetch(`${app.url}${path}`, { headers });
      if (!check.ok) throw new Error(`${name} answered ${check.status}: ${await check.text()}`);
      const result = await wrk(`${app.url}${path}`, { seconds, headers, connections: 8 });
      if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers`);
      p99[name] = result.p99Ms;
    }
    return { p99, rss: rssMiB(app.child.pid) };
  } finally {
    await app.stop();
    data.remove();
  }
}

/** 6: lists, search and GET by id at 1,000,000 customers against their p99 at 1,000; RSS of `npm start` at both. */
export async function scale(seconds: number, large = 1_000_000): Promise<Row[]> {
  const small = await measure(1_000, seconds);
  const big = await measure(large, seconds);
  const rows: Row[] = Object.keys(small.p99).map((name) => ({
    name: `${name} at ${large.toLocaleString('en-US')} customers`,
    figure: big.p99[name]!,
    unit: 'ms p99',
    ceilingName: 'p99 ms at 1,000',
    ceiling: small.p99[name]!,
    atMost: 2,
  }));
  rows.push({ name: `npm start RSS at ${large.toLocaleString('en-US')} customers`, figure: big.rss, unit: 'MiB', ceilingName: 'RSS MiB at 1,000', ceiling: small.rss });
  return rows;
}
