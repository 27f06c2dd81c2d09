import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './processes.ts';

/**
 * What a new domain costs the rest of the code. A copy of the project gains a sample domain,
 * `greetings` (test/fixtures/sample-domain: a table, an event, two routes, a consumer worker),
 * plus the three lines that hand it to the shared registries: the event catalog, the app's
 * mounts and the worker table. Its migration and the migrations bundle are generated. Then,
 * in the copy, the domain works end to end (its own test), types check, and the architecture,
 * conventions and API-contract tests still pass; and what changed outside the domain's own
 * files is exactly those three lines with their imports.
 */
const FIXTURE = join(ROOT, 'test/fixtures/sample-domain');
let copy: string;

/** Runs a command in the copy; answers its output, and fails the test with it on a non-zero exit. */
function run(command: string[], env: Record<string, string> = {}): string {
  const result = Bun.spawnSync(command, { cwd: copy, env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
  const output = `${result.stdout.toString()}${result.stderr.toString()}`;
  if (result.exitCode !== 0) throw new Error(`${command.join(' ')} exited ${result.exitCode}:\n${output.slice(-4000)}`);
  return output;
}

/** Inserts `line` after the first line of `file` (in the copy) that equals `anchor`. */
function insertAfter(file: string, anchor: string, line: string) {
  const path = join(copy, file);
  const lines = readFileSync(path, 'utf8').split('\n');
  const at = lines.indexOf(anchor);
  if (at < 0) throw new Error(`${file} has no line ${JSON.stringify(anchor)}`);
  lines.splice(at + 1, 0, line);
  writeFileSync(path, lines.join('\n'));
}

/** The files of a folder, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)).map((f) => join(name, f)) : [name]));
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'platform-new-domain-'));
  // The working tree as git sees it (tracked and new files, nothing ignored), and the installed packages.
  const listed = Bun.spawnSync(['git', 'ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT }).stdout.toString().split('\0').filter(Boolean);
  for (const file of listed) {
    try {
      statSync(join(ROOT, file));
    } catch {
      continue; // deleted in the working tree
    }
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  const git = ['git', '-c', 'user.email=test@localhost', '-c', 'user.name=test'];
  run([...git, 'init', '-q']);
  run([...git, 'add', '-A']);
  run([...git, 'commit', '-qm', 'before the domain']);

  // The domain's own files, its test among them.
  for (const file of filesUnder(FIXTURE)) {
    const target = join(copy, file.replace(/\.sample\.ts$/, '.test.ts'));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(FIXTURE, file), target);
  }
  // The three shared lines, each with its import.
  insertAfter('src/events/catalog.ts', "import * as v from 'valibot';", "import { greetingEvents } from '../greetings/events.ts';");
  insertAfter('src/events/catalog.ts', 'export const catalog = {', '  ...greetingEvents,');
  insertAfter('src/app.ts', "import { Hono } from 'hono';", "import { greetingMounts } from './greetings/routes.ts';");
  insertAfter('src/app.ts', 'export const domainMounts: readonly Mount[] = [', '  ...greetingMounts,');
  insertAfter('workers/registry.ts', "import type { Deps } from '../src/deps.ts';", "import { greetingsHandler } from '../src/greetings/consumer.ts';");
  insertAfter('workers/registry.ts', 'const workers = [', "  { name: 'greetings', kind: 'consumer', handler: () => greetingsHandler },");
  // Generated: the migration (drizzle-kit) and the migrations bundle.
  run(['npm', 'run', '-s', 'db:generate', '--', '--name', 'greetings']);
}, 120_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('a new domain', () => {
  test('touches the shared code in three lines (the catalog, the mounts, the worker table) besides their imports and generated files', () => {
    const changed = run(['git', 'status', '--porcelain', '--untracked-files=all']).split('\n').filter(Boolean).map((line) => line.slice(3));
    const own = (file: string) => file.startsWith('src/greetings/') || file === 'db/schema/greetings.ts' || file === 'test/greetings.api.test.ts';
    const generated = (file: string) => file.startsWith('db/migrations/') || file === 'db/migrations-bundle.ts';
    const shared = changed.filter((file) => !own(file) && !generated(file)).sort();
    expect(shared).toEqual(['src/app.ts', 'src/events/catalog.ts', 'workers/registry.ts']);

    const added = run(['git', 'diff', '-U0', '--', ...shared]).split('\n').filter((line) => line.startsWith('+') && !line.startsWith('+++'));
    const removed = run(['git', 'diff', '-U0', '--', ...shared]).split('\n').filter((line) => line.startsWith('-') && !line.startsWith('---'));
    expect(removed).toEqual([]);
    expect(added.filter((line) => !line.startsWith('+import '))).toEqual([
      '+  ...greetingMounts,',
      '+  ...greetingEvents,',
      "+  { name: 'greetings', kind: 'consumer', handler: () => greetingsHandler },",
    ]);
    expect(changed.filter(generated).some((file) => file.endsWith('_greetings.sql'))).toBe(true);
  });

  test('works end to end with nothing else: its route, its event, its worker; types check; the architecture, conventions and API contract hold', () => {
    run(['npx', 'tsc', '--noEmit']);
    const output = run([process.execPath, 'test', '--timeout', '60000', 'test/greetings.api.test.ts', 'test/architecture.test.ts', 'test/conventions.test.ts', 'test/openapi-contract.api.test.ts', 'db/migrations-bundle.test.ts', 'src/events/catalog.test.ts']);
    expect(output).toMatch(/\b0 fail\b/);
    expect(output).toContain('a greeting is sent, published and acknowledged by its worker');
  }, 240_000);
});
