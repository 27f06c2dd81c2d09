import { createClient } from '@libsql/client';
import { pollUntil } from '../test/processes.ts';
import { onboardLua } from './http.ts';
import { percentile, type Row } from './lib/report.ts';
import { adminAuth, serve } from './lib/servers.ts';
import { wrk } from './lib/wrk.ts';

interface Progress {
  customers: number;
  welcomed: number;
  profiled: number;
  firstCreated: number;
  lastEffect: number;
}

/** Reads, from the product's own database, how far onboarding's effects have got. */
export async function progress(db: ReturnType<typeof createClient>, since: number): Promise<Progress> {
  const { rows } = await db.execute({
    sql: `select
      (select count(*) from customers where created_at >= ?1) as customers,
      (select count(*) from notifications n join customers c on c.id = n.customer_id where n.template = 'welcome' and n.status = 'sent' and c.created_at >= ?1) as welcomed,
      (select count(*) from profiles p join customers c on c.id = p.customer_id where c.created_at >= ?1) as profiled,
      (select min(created_at) from customers where created_at >= ?1) as first_created,
      max((select max(n.sent_at) from notifications n join customers c on c.id = n.customer_id where n.template = 'welcome' and c.created_at >= ?1),
          (select max(p.computed_at) from profiles p join customers c on c.id = p.customer_id where c.created_at >= ?1)) as last_effect`,
    args: [since],
  });
  const r = rows[0]!;
  return { customers: Number(r.customers), welcomed: Number(r.welcomed), profiled: Number(r.profiled), firstCreated: Number(r.first_created), lastEffect: Number(r.last_effect) };
}

/** Posts new customers at a fixed rate for `seconds` (open loop: a slow answer does not slow the sender). */
export async function postAtRate(url: string, auth: Record<string, string>, perSecond: number, seconds: number): Promise<number> {
  const run = Date.now().toString(36);
  const total = Math.round(perSecond * seconds);
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    pending.push(
      fetch(`${url}/v1/customers`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `Rate ${i}`, email: `r${run}-${i}@bench.example`, kind: 'sme', country: 'DE' }),
      }).then((r) => r.arrayBuffer()),
    );
  }
  await Promise.all(pending);
  return total;
}

/**
 * 3: `npm start` (API and every worker in one process): sustained onboarding, counted when
 * each customer's welcome email is sent and its profile computed; then commit → effect
 * latency (customer row committed → welcome `sent`) at half that rate.
 */
export async function pipeline(seconds: number, hello: number, env: Record<string, string> = {}, label = 'embedded bus'): Promise<Row[]> {
  const app = await serve('start', 'src/start.ts', env);
  const db = createClient({ url: app.databaseUrl, intMode: 'number' });
  try {
    const auth = await adminAuth(app.url);
    const since = Date.now();
    const load = await wrk(`${app.url}/v1/customers`, { seconds, headers: auth, lua: onboardLua });
    if (load.non2xx > 0) throw new Error(`onboarding answered ${load.non2xx} non-2xx responses`);
    const done = await pollUntil(
      'every onboarded customer welcomed and profiled',
      async () => {
        const p = await progress(db, since);
        return p.welcomed >= p.customers && p.profiled >= p.customers ? p : null;
      },
      { timeoutMs: 300_000, intervalMs: 200 },
    );
    const sustained = done.customers / ((done.lastEffect - done.firstCreated) / 1000);

    const halfSince = Date.now();
    const rate = Math.max(1, sustained / 2);
    await postAtRate(app.url, auth, rate, seconds);
    await pollUntil('half-load customers welcomed', async () => {
      const p = await progress(db, halfSince);
      return p.welcomed >= p.customers;
    }, { timeoutMs: 300_000, intervalMs: 200 });
    const { rows } = await db.execute({
      sql: `select n.sent_at - c.created_at as ms from notifications n join customers c on c.id = n.customer_id where n.template = 'welcome' and c.created_at >= ?`,
      args: [halfSince],
    });
    const latencies = rows.map((r) => Number(r.ms));
    return [
      { name: `npm start: onboarding → welcome sent + profiled (${label})`, figure: sustained, unit: `customers/s (${done.customers} in the run)`, ceilingName: 'Hono hello-world req/s', ceiling: hello, target: 0.04 },
      {
        name: `npm start: commit → welcome sent at half load, ${rate.toFixed(0)}/s (${label})`,
        figure: percentile(latencies, 99),
        unit: `ms p99 (p50 ${percentile(latencies, 50).toFixed(1)} ms)`,
        ceilingName: 'target ms',
        ceiling: label.includes('Kafka') ? 50 : 25,
        atMost: 1,
      },
    ];
  } finally {
    db.close();
    await app.stop();
  }
}
