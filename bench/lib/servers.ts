import { rmSync } from 'node:fs';
import { freePort, spawnBun, tempDataDir, waitForHttp, type ChildProcess } from '../../test/processes.ts';

export const BENCH_SECRET = 'bench-secret-that-is-long-enough-0123456789abcdef';
export const BENCH_ADMIN = { email: 'bench-admin@bench.example', password: 'Bench-only password 7f3a9c2e' };

/** A process under measurement, on a free port with its own fresh database. */
export interface Served {
  url: string;
  child: ChildProcess;
  dir: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** Starts `bun <script>` (the hello-world, the API, or the whole product) on a fresh data folder. */
export async function serve(name: string, script: string, env: Record<string, string> = {}): Promise<Served> {
  const port = await freePort();
  const data = tempDataDir('bench-');
  const child = spawnBun(name, script, {
    PORT: String(port),
    DATABASE_URL: data.databaseUrl,
    DATA_DIR: data.dir,
    JWT_SECRET: BENCH_SECRET,
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    LOG_SILENT: '1',
    // One token sends every request of a figure: a production limit per principal would cap the bench.
    RATE_LIMIT_PER_MINUTE: '1000000000',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(script.includes('hello') ? `${url}/` : `${url}/healthz`, child, 60_000);
  return {
    url,
    child,
    dir: data.dir,
    databaseUrl: data.databaseUrl,
    async stop() {
      await child.kill('SIGTERM');
      rmSync(data.dir, { recursive: true, force: true });
    },
  };
}

/** Logs in as the bench admin and returns the bearer header. */
export async function adminAuth(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  return { Authorization: `Bearer ${token}` };
}

/** POSTs JSON with the given headers and returns the parsed answer, failing on a non-2xx status. */
export async function postJson<T>(url: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
