import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './processes.ts';

/** What must never reach the Workers bundle: the file system, native drivers, the TCP Kafka client, SMTP, prom-client, pdfkit (it reads font files). */
const SERVER_ONLY = ['libsql', '@libsql/client', '@platformatic/kafka', 'nodemailer', 'prom-client', 'pdfkit'];
/** Workers' compressed size limit on the free plan (3 MB); the bundle must stay well inside it. */
const FREE_PLAN_LIMIT = 3 * 1024 * 1024;

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { bytes: number; imports: { path: string; external?: boolean }[] }>;
}

let dir: string;
let bundle: string;
let meta: Metafile;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
  // `npm run build:worker` with the output in a temp folder, and esbuild's metafile to see what went in.
  const built = Bun.spawnSync(['npm', 'run', '--silent', 'build:worker', '--', '--metafile', join(dir, 'meta.json')], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', WORKER_OUTDIR: dir },
  });
  if (built.exitCode !== 0) throw new Error(`build:worker failed:\n${built.stdout}\n${built.stderr}`);
  bundle = readFileSync(join(dir, 'worker.js'), 'utf8');
  meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the Workers bundle builds and holds no module of the server-only packages', () => {
  const inputs = Object.keys(meta.inputs);
  expect(inputs.some((path) => path.startsWith('src/worker.ts'))).toBe(true);
  expect(inputs.filter((path) => SERVER_ONLY.some((name) => path.includes(`node_modules/${name}/`)))).toEqual([]);
});

test('the Workers bundle imports no node:fs and names none of the server-only packages', () => {
  const imports = Object.values(meta.outputs).flatMap((output) => output.imports.map((i) => i.path));
  expect(imports.filter((path) => /^(node:)?fs(\/|$)/.test(path))).toEqual([]);
  for (const name of ['node:fs', ...SERVER_ONLY.filter((n) => n !== 'libsql')]) expect(bundle).not.toContain(name);
  // "libsql" alone also appears in DATABASE_URL's message (libsql://): look for an import of it.
  expect(bundle).not.toMatch(/(from|require\(|import\()\s*["']libsql["']/);
});

test('the Workers bundle stays well inside the free plan\'s 3 MB (compressed)', () => {
  const gzip = Bun.gzipSync(Buffer.from(bundle)).length;
  expect(gzip).toBeLessThan(FREE_PLAN_LIMIT / 4);
});
