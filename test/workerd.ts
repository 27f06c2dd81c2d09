import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT, spawnProcess, waitForHttp, type ChildProcess } from './processes.ts';

/** A Worker served by workerd through `npm run dev:worker`, as a user (or the contract suite) starts it. */
export interface DevWorker {
  url: string;
  child: ChildProcess;
  /** SIGTERMs `npm run`, waits for it, and answers which of the processes it had started are still alive. */
  stop(): Promise<number[]>;
}

/** Starts `npm run dev:worker` on a free port and waits until `readyPath` answers 200; `args` go on to `wrangler dev`. */
export async function startDevWorker(env: Record<string, string>, options: { args?: string[]; readyPath?: string } = {}): Promise<DevWorker> {
  const port = await freePort();
  const argv = ['npm', 'run', '--silent', 'dev:worker', ...(options.args ? ['--', ...options.args] : [])];
  // wrangler needs Node ≥ 22.12: the project's own Node comes first, as under `npm test`.
  const child = spawnProcess('dev:worker', argv, { PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, PORT: String(port), ...env });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}${options.readyPath ?? '/readyz'}`, child, 120_000);
  } catch (error) {
    // Never ready (a bad setting answers 500): stop it rather than leave a server behind.
    await child.kill('SIGTERM');
    throw error;
  }
  return {
    url,
    child,
    async stop() {
      const started = descendantsOf(child.pid);
      await child.kill('SIGTERM');
      // The dev script notices npm is gone and stops wrangler; give it the time it allows itself.
      const deadline = Date.now() + 15_000;
      let alive = started.filter(isAlive);
      while (alive.length > 0 && Date.now() < deadline) {
        await Bun.sleep(100);
        alive = alive.filter(isAlive);
      }
      return alive;
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `pid` (the dev script, wrangler, workerd, esbuild), from /proc. */
export function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length > 0; ) {
    frontier = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...frontier);
  }
  return found;
}
