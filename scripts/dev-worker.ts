import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configVariables } from '../src/config.ts';
import { loadEnvFile } from '../src/entries/env-file.ts';

/**
 * `npm run dev:worker`: the Worker served by workerd (`wrangler dev --local`) on
 * 127.0.0.1:$PORT (8787 by default) with a fresh database in a temp folder, which the
 * Durable Object migrates on its first request. The configuration variables of the
 * environment and of `.env` (read as every entry reads it; ADMIN_EMAIL, ADMIN_PASSWORD,
 * JWT_SECRET, BUS, …) are passed as vars; wrangler itself reads no `.env` or `.dev.vars`. SIGTERM or SIGINT (to this process or to `npm`)
 * stops wrangler and every process it started, and removes the folder. Further
 * arguments go to `wrangler dev` (tests serve a fixture with `-- --config <file>`).
 */

const ROOT = resolve(import.meta.dirname, '..');
/** What the object's own storage replaces, and the port, which is wrangler's. */
const NOT_PASSED = new Set(['PORT', 'DATABASE_URL', 'DATABASE_AUTH_TOKEN', 'DATABASE_SYNCHRONOUS', 'DATA_DIR']);
const STOP_TIMEOUT_MS = 10_000;

loadEnvFile();
if (!process.env.JWT_SECRET) {
  console.error('Configuration error: JWT_SECRET is required on Workers (no file system to keep a generated one); set it in the environment');
  process.exit(2);
}
const port = process.env.PORT || '8787';
const dir = mkdtempSync(join(tmpdir(), 'platform-worker-'));
// An empty env file stops wrangler from loading the project's `.env` itself (its server-only settings as secrets).
const envFile = join(dir, 'empty.env');
writeFileSync(envFile, '');
const vars = configVariables.filter((name) => !NOT_PASSED.has(name) && process.env[name]).flatMap((name) => ['--var', `${name}:${process.env[name]}`]);

const wrangler = spawn(
  join(ROOT, 'node_modules/.bin/wrangler'),
  ['dev', '--local', '--ip', '127.0.0.1', '--port', port, '--persist-to', join(dir, 'state'), '--env-file', envFile, '--show-interactive-dev-session=false', ...vars, ...process.argv.slice(2)],
  // In our process group: whoever stops the group stops wrangler and workerd with us.
  { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
);
const exited = new Promise<number>((done) => wrangler.once('exit', (code, signal) => done(code ?? (signal ? 0 : 1))));

/** The processes below `pid` (wrangler's workerd and esbuild), read from /proc; none where there is no /proc. */
function descendantsOf(pid: number): number[] {
  let parents: Map<number, number>;
  try {
    parents = new Map(
      readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .flatMap((name) => {
          try {
            // "pid (comm) state ppid …": the command may hold spaces and parentheses, so read after the last ')'.
            const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
            return [[Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])] as [number, number]];
          } catch {
            return [];
          }
        }),
    );
  } catch {
    return [];
  }
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length > 0; ) {
    frontier = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...frontier);
  }
  return found;
}

const kill = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
};

let stopping = false;
/** Stops wrangler (which stops workerd), makes sure nothing it started is left, removes the data and exits. */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const started = descendantsOf(wrangler.pid!);
  kill(wrangler.pid!, 'SIGTERM');
  const timer = setTimeout(() => kill(wrangler.pid!, 'SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
  for (const pid of started) kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

process.once('SIGTERM', () => void stop(0));
process.once('SIGINT', () => void stop(0));
void exited.then((code) => stop(code));
// `npm run` dies on SIGTERM without passing it on through its shell: stop when our parent is gone.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop(0);
}, 250).unref();
