import { afterAll, describe, expect, test } from 'bun:test';
import { existsSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseEnvFile } from '../src/entries/env-file.ts';
import { freePort, killAll, ROOT, spawnProcess, tempDataDir, waitForHttp } from './processes.ts';

/**
 * `.env` in the working directory configures every entry the same way, whatever the runtime:
 * each runtime serves the platform from a temp folder holding a `.env` (and a `.env.local`
 * that nothing reads), with one variable also set in the real environment, which wins.
 */
const folders: { remove(): void }[] = [];
afterAll(async () => {
  await killAll();
  for (const f of folders) f.remove();
});

/**
 * The settings the `.env` files carry: none may come from the environment the tests run in; nor
 * NODE_ENV, which `bun test` sets to `test` (and with which Bun's own loader skips `.env.local`).
 */
const unset = Object.fromEntries(['PORT', 'DATABASE_URL', 'DATA_DIR', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'JWT_SECRET', 'NODE_ENV'].map((k) => [k, undefined]));
const PASSWORD = 'correct horse battery staple 42';
const binary = (name: string) => join(ROOT, 'node_modules', '.bin', name);

/** Each server entry as its npm script runs it, with the project's files named from elsewhere. */
const entries: Record<string, string[]> = {
  // bunfig.toml applies where `npm start` runs (the project root); named here since the cwd is the temp folder.
  bun: [process.execPath, `--config=${join(ROOT, 'bunfig.toml')}`, join(ROOT, 'src/start.ts')],
  node: [binary('node'), join(ROOT, 'src/node.ts')],
  deno: [binary('deno'), 'run', `--config=${join(ROOT, 'deno.json')}`, '--allow-env', '--allow-read', '--allow-write', '--allow-net', '--allow-ffi', '--allow-sys', join(ROOT, 'src/deno.ts')],
};

/** A temp working folder with a `.env` serving on `port`, and a `.env.local` that would move it elsewhere. */
async function workingFolder() {
  const data = tempDataDir('platform-env-file-');
  folders.push(data);
  const port = await freePort();
  writeFileSync(
    join(data.dir, '.env'),
    [
      '# read by every entry from its working directory',
      `export PORT=${port}`,
      `DATABASE_URL="${data.databaseUrl}"`,
      `DATA_DIR='${data.dir}'`,
      'ADMIN_EMAIL=from-file@env.example   # the real environment sets another, which wins',
      `ADMIN_PASSWORD=${PASSWORD}`,
      'BROKEN="a quote never closed',
      '',
    ].join('\n'),
  );
  writeFileSync(join(data.dir, '.env.local'), `PORT=${await freePort()}\n`);
  return { ...data, port };
}

async function login(baseUrl: string, email: string) {
  const res = await fetch(`${baseUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  return res.status;
}

describe('.env in the working directory', () => {
  for (const [runtime, command] of Object.entries(entries)) {
    test(`${runtime}: the server takes its settings from .env, and a variable of the real environment wins over the file`, async () => {
      const folder = await workingFolder();
      const child = spawnProcess(`${runtime} with .env`, command, { ...unset, ADMIN_EMAIL: 'from-env@env.example', LOG_SILENT: '1' }, { cwd: folder.dir });
      const baseUrl = `http://127.0.0.1:${folder.port}`;
      try {
        await waitForHttp(`${baseUrl}/readyz`, child, 60_000);
        expect(existsSync(join(folder.dir, 'app.db'))).toBe(true);
        expect(await login(baseUrl, 'from-env@env.example')).toBe(200);
        expect(await login(baseUrl, 'from-file@env.example')).toBe(401);
        // The line it could not read is named, not half-read.
        expect(child.output()).toContain('.env line 7 is not KEY=value (or a comment); it was skipped');
      } finally {
        await child.stop();
      }
    }, 90_000);
  }

  test('the CLI (`npx platform`, on the Node npm runs) reads .env too', async () => {
    const folder = await workingFolder();
    // The Node on PATH without the project's binaries: the one a user's npm runs (here Node 20).
    const path = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')).join(delimiter);
    const node = Bun.which('node', { PATH: path }) ?? binary('node');
    const child = spawnProcess('platform migrate with .env', [node, join(ROOT, 'bin/platform.js'), 'migrate'], { ...unset, PATH: path, LOG_SILENT: '1' }, { cwd: folder.dir });
    expect(await child.exited).toBe(0);
    expect(child.output()).toMatch(/applied/i);
    expect(existsSync(join(folder.dir, 'app.db'))).toBe(true);
  }, 60_000);
});

describe('parseEnvFile', () => {
  test('reads KEY=value lines, quotes, `export`, comments; expands nothing', () => {
    const text = [
      '# a comment',
      '',
      'A=plain value   # trailing comment',
      'export B=exported',
      "C='single # kept $HOME'",
      'D="double\\nline \\"quoted\\""',
      'E=',
      'not a line',
      'F = spaced',
      'G="C:\\data\\new \\\\ one"',
    ].join('\r\n');
    // In double quotes only \n, \" and \\ are escapes: a Windows path keeps its backslashes.
    expect(parseEnvFile(text)).toEqual({ A: 'plain value', B: 'exported', C: 'single # kept $HOME', D: 'double\nline "quoted"', E: '', F: 'spaced', G: 'C:\\data\new \\ one' });
  });
});
