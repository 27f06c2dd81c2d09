import type { Subprocess } from 'bun';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase, type Database } from '../db/client.ts';
import { applyMigrations } from '../db/migrate.ts';

/**
 * Helpers for tests that run the platform as real child processes
 * (`bun src/server.ts`, `bun workers/*.ts`, `npm run start:node` …) and kill them.
 * Every process spawned here is tracked, so `killAll()` in an `afterAll`
 * leaves nothing running whatever happened in the test.
 */

/** The project root (where package.json lives). */
export const ROOT = resolve(import.meta.dir, '..');

/** A TCP port that was free a moment ago (bound to 0, read back, released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolvePort(address.port));
    });
  });
}

/** A temp folder for one test's database and data, removed by `remove()`. */
export function tempDataDir(prefix = 'platform-fault-'): { dir: string; databaseUrl: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, databaseUrl: `file:${join(dir, 'app.db')}`, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh database in a temp folder with the migrations applied; `remove()` closes and deletes it. */
export async function openTempDatabase(prefix: string): Promise<{ dir: string; databaseUrl: string; database: Database; remove(): void }> {
  const data = tempDataDir(prefix);
  const database = await openDatabase(data.databaseUrl);
  await applyMigrations(database);
  return {
    ...data,
    database,
    remove() {
      database.close();
      data.remove();
    },
  };
}

export interface ChildProcess {
  name: string;
  pid: number;
  proc: Subprocess<'ignore', 'pipe', 'pipe'>;
  /** Everything it wrote so far, stdout and stderr interleaved by arrival. */
  output(): string;
  /** Resolves when the output matches, rejects on timeout or if the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends a signal (to its whole group if it has one); SIGKILL by default. Resolves with the exit code once it is gone. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs` if it has not exited; a group is SIGKILLed once its leader is gone. */
  stop(graceMs?: number): Promise<number | null>;
  readonly exited: Promise<number>;
  readonly alive: boolean;
}

const running = new Set<ChildProcess>();

/** Starts `bun <script>` from the project root with the given environment on top of ours. */
export function spawnBun(name: string, script: string, env: Record<string, string>): ChildProcess {
  return spawnProcess(name, [process.execPath, script], env);
}

/**
 * Starts a command (from the project root unless `cwd` says otherwise) with the given
 * environment on top of ours; a variable given as `undefined` is removed from it.
 * `group: true` puts it in a process group of its own (setsid), and every signal then
 * goes to the whole group: `npm run x` starts `sh`, which starts the runtime, and
 * killing npm alone would leave the runtime serving.
 */
export function spawnProcess(
  name: string,
  command: string[],
  env: Record<string, string | undefined>,
  { group = false, cwd = ROOT }: { group?: boolean; cwd?: string } = {},
): ChildProcess {
  const merged = { ...process.env, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const proc = Bun.spawn(command, {
    cwd,
    env: merged,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    detached: group,
  });
  let text = '';
  let alive = true;
  const listeners = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      for (const l of listeners) l();
    }
  };
  const pumped = Promise.all([pump(proc.stdout), pump(proc.stderr)]).catch(() => undefined);
  const exited = proc.exited.then(async (code) => {
    alive = false;
    await pumped;
    for (const l of listeners) l();
    running.delete(child);
    return code;
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (group) process.kill(-proc.pid, sig);
      else if (alive) proc.kill(sig);
    } catch {
      // the group is already gone
    }
  };
  const child: ChildProcess = {
    name,
    pid: proc.pid,
    proc,
    output: () => text,
    get alive() {
      return alive;
    },
    exited,
    waitForOutput(pattern, timeoutMs = 30_000) {
      return new Promise<void>((resolveWait, reject) => {
        const check = () => {
          if (pattern.test(text)) return finish();
          if (!alive) return finish(new Error(`${name} exited before printing ${pattern}; output:\n${tail(text)}`));
        };
        const timer = setTimeout(() => finish(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; output:\n${tail(text)}`)), timeoutMs);
        const finish = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolveWait();
        };
        listeners.add(check);
        check();
      });
    },
    async kill(sig = 'SIGKILL') {
      // A group is signalled even after its leader exited: a grandchild may still run.
      if (alive || group) signal(sig);
      return exited;
    },
    async stop(graceMs = 5_000) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      // Whatever of the group outlived its leader (npm) does not get a second chance.
      if (group) signal('SIGKILL');
      return code;
    },
  };
  running.add(child);
  return child;
}

/** SIGKILLs every process these helpers started that is still running, and waits for them. */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.kill('SIGKILL')));
}

/** Polls an HTTP URL until it answers 200 (readiness), or throws after the timeout. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.alive) throw new Error(`${child.name} exited while waiting for ${url}; output:\n${tail(child.output())}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(50);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms; output of ${child.name}:\n${tail(child.output())}`);
}

/** Polls `probe` every `intervalMs` until it returns a truthy value; throws with the last value on timeout. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T>,
  { timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await Bun.sleep(intervalMs);
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

/** The last lines of a process's output, for an error message. */
export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

export interface SmtpSink {
  port: number;
  /** The Message-ID local part of every message accepted, one entry per delivery (a resend appears twice). */
  deliveries: string[];
  close(): Promise<void>;
}

/**
 * A minimal SMTP receiver on a loopback port that accepts every message at once
 * (smtp-server waits 100 ms per connection to catch early talkers, which makes
 * hundreds of sends slow). Enough for nodemailer: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const deliveries: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // a killed client resets its connection
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          // Keep the message in the buffer until its terminator is there: it may span chunks.
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          deliveries.push(/^Message-ID:\s*<([^@>]+)@/im.exec(message)?.[1] ?? 'no-message-id');
          socket.write('250 OK: queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol === -1) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 sink\r\n');
        else if (verb === 'DATA') {
          inData = true;
          // the DATA terminator may follow a bare "." line right away: keep a CRLF in front
          buffer = `\r\n${buffer}`;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    deliveries,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolveClose());
      }),
  };
}
