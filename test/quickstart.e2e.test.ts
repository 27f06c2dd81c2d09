import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './harness.ts';
import { freePort, ROOT } from './processes.ts';

/**
 * The README's quick start on a fresh clone: `npm install && npm start` brings up
 * the API and workers on embedded defaults, prints the URL and the first admin's
 * password, and that password logs in; `npx platform --help` answers and the client
 * imports by its package name. (`npm test` on a fresh clone is what CI runs.)
 */
const work = mkdtempSync(join(tmpdir(), 'quickstart-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string[], cwd: string): string => {
  const proc = Bun.spawnSync(cmd, { cwd, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, CI: 'true' } });
  if (proc.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed: ${proc.stderr.toString().slice(-2000)}`);
  return proc.stdout.toString();
};

describe('README quick start on a fresh clone', () => {
  test(
    'npm install && npm start serves the API, prints how to log in, and the printed password works',
    async () => {
      const clone = join(work, 'clone');
      run(['git', 'clone', '--quiet', ROOT, clone], work);
      run(['npm', 'install', '--no-audit', '--no-fund', '--prefer-offline'], clone);
      // `--no --`: never fetch a registry package named `platform` were the clone's bin missing.
      expect(run(['npx', '--no', '--', 'platform', '--help'], clone)).toContain('Usage: platform');
      const imported = "import { createPlatformClient } from '@subscription-platform/client'; console.log(typeof createPlatformClient);";
      expect(run(['npx', 'bun', '-e', imported], clone).trim()).toBe('function');

      const port = await freePort();
      // In its own process group (setsid) so that stopping it stops npm's child too.
      const proc = Bun.spawn(['setsid', 'npm', 'start'], { cwd: clone, env: { ...process.env, PORT: String(port) }, stdout: 'pipe', stderr: 'pipe' });
      let output = '';
      void (async () => {
        for await (const chunk of proc.stdout as unknown as AsyncIterable<Uint8Array>) output += new TextDecoder().decode(chunk);
      })();
      try {
        const printed = await eventually(async () => /Created the first admin: (\S+) with password (\S+)/.exec(output), { timeoutMs: 60_000, intervalMs: 100 });
        await eventually(async () => output.includes(`http://localhost:${port}`), { timeoutMs: 30_000 });
        const base = `http://127.0.0.1:${port}`;
        const ready = await fetch(`${base}/readyz`);
        expect(ready.status).toBe(200);

        const login = await fetch(`${base}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: printed[1], password: printed[2] }),
        });
        expect(login.status).toBe(200);
        const { token } = (await login.json()) as { token: string };

        const created = await fetch(`${base}/v1/customers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ name: 'Quick Start Ltd', email: 'ops@quickstart.example', kind: 'sme', country: 'GB' }),
        });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        // The workers run in the same process: the welcome notification arrives with no further call.
        const history = await eventually(async () => {
          const res = await fetch(`${base}/v1/customers/${id}/notifications`, { headers: { authorization: `Bearer ${token}` } });
          const body = (await res.json()) as { data: { template: string; status: string }[] };
          return body.data[0];
        });
        expect(history).toMatchObject({ template: 'welcome', status: 'sent' });
      } finally {
        process.kill(-proc.pid, 'SIGKILL');
        await proc.exited;
      }
    },
    { timeout: 600_000 },
  );
});
