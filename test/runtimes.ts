import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort, ROOT, spawnProcess, tempDataDir, waitForHttp } from './processes.ts';

/**
 * The platform served by each runtime, started the way a user starts it: through the
 * project's own npm script, with one environment for all of them. The contract suite
 * (test/contract/) runs against whatever this starts, over HTTP only.
 */

export const runtimeNames = ['bun', 'node', 'deno', 'workerd'] as const;
export type RuntimeName = (typeof runtimeNames)[number];

/** The npm script that serves each runtime, and the binary it needs (as `npm run` finds it). */
const launchers: Record<RuntimeName, { script: string; binary: string }> = {
  bun: { script: 'start', binary: 'bun' },
  node: { script: 'start:node', binary: 'node' },
  deno: { script: 'start:deno', binary: 'deno' },
  workerd: { script: 'dev:worker', binary: 'wrangler' },
};

/** The first admin every runtime creates from ADMIN_EMAIL/ADMIN_PASSWORD. */
export interface Credentials {
  email: string;
  password: string;
}

export const CONTRACT_ADMIN: Credentials = { email: 'root@contract.example', password: 'correct horse battery staple 42' };
export const CONTRACT_JWT_SECRET = 'contract-suite-secret-that-is-long-enough-0123';

/** A runtime serving the platform. */
export interface RunningRuntime {
  name: RuntimeName;
  baseUrl: string;
  admin: Credentials;
  /** Everything the runtime printed so far. */
  output(): string;
  /** Stops the whole process tree (npm → sh → runtime) and removes its data. */
  stop(): Promise<void>;
}

/** `npm run` puts the project's binaries first on PATH: probe with the same PATH. */
const npmPath = () => [join(ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter);

/**
 * Why a runtime cannot be started here, or null when it can: its npm script is missing,
 * or its binary does not run. A runtime that starts and then fails is not "unavailable":
 * that is a failure of its tests.
 */
export function unavailability(name: RuntimeName): string | null {
  const { script, binary } = launchers[name];
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (!scripts[script]) return `package.json has no "${script}" script`;
  try {
    const probe = Bun.spawnSync([binary, '--version'], { cwd: ROOT, env: { ...process.env, PATH: npmPath() }, stdout: 'pipe', stderr: 'pipe' });
    if (probe.exitCode !== 0) return `\`${binary} --version\` failed: ${probe.stderr.toString().trim().split('\n')[0]}`;
  } catch (error) {
    return `${binary} cannot run: ${(error as Error).message}`;
  }
  return null;
}

/** The runtimes to run, from CONTRACT_RUNTIMES (`node,deno`); all of them when unset. */
export function selectedRuntimes(value = process.env.CONTRACT_RUNTIMES): RuntimeName[] {
  if (!value) return [...runtimeNames];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(runtimeNames as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`CONTRACT_RUNTIMES names unknown runtimes: ${unknown.join(', ')} (known: ${runtimeNames.join(', ')})`);
  return names as RuntimeName[];
}

/**
 * Starts a runtime through its npm script on a free port with a fresh database and
 * waits until `/readyz` answers 200; on failure the error carries the process's output.
 */
export async function startRuntime(name: RuntimeName, { readyTimeoutMs = 60_000 } = {}): Promise<RunningRuntime> {
  const port = await freePort();
  const data = tempDataDir(`contract-${name}-`);
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawnProcess(
    name,
    ['npm', 'run', '--silent', launchers[name].script],
    {
      PORT: String(port),
      DATABASE_URL: data.databaseUrl,
      DATA_DIR: data.dir,
      LOG_SILENT: '1',
      JWT_SECRET: CONTRACT_JWT_SECRET,
      ADMIN_EMAIL: CONTRACT_ADMIN.email,
      ADMIN_PASSWORD: CONTRACT_ADMIN.password,
      POLL_INTERVAL_MS: '20',
    },
    { group: true },
  );
  const stop = async () => {
    await child.stop();
    data.remove();
  };
  try {
    await waitForHttp(`${baseUrl}/readyz`, child, readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, baseUrl, admin: CONTRACT_ADMIN, output: child.output, stop };
}
