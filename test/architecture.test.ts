import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The direction of dependencies, checked on every import of the source (not the tests):
 *
 *   entries (server, start, node, deno, worker, bootstrap, build-deps, src/entries, workers/)
 *     → app (app.ts, deps.ts, config.ts, context builder)
 *       → http (src/http)
 *         → domains (src/<domain>)
 *           → events and bus (src/events, src/bus)
 *             → db (db/)
 *               → kernel (src/kernel)
 *
 * A domain's `routes.ts` (or `routes/`) belongs to the HTTP layer. A file may import its own
 * layer or any layer below it, never one above. Besides: domains import each
 * other without cycles; payments imports neither billing nor subscriptions, and
 * subscriptions never imports billing (billing reacts to them).
 */
const ROOT = resolve(import.meta.dir, '..');
const LAYERS = ['kernel', 'db', 'events', 'domain', 'http', 'app', 'entry'] as const;
type Layer = (typeof LAYERS)[number];
const rank = (layer: Layer) => LAYERS.indexOf(layer);

/** A domain's (or the events') HTTP routes: they belong to the HTTP layer. */
const isRoutes = (file: string) => /^src\/[^/]+\/(routes\.ts|routes\/)/.test(file);

/** The layer of a project file, by its path relative to the root. */
function layerOf(file: string): Layer {
  if (file.startsWith('db/')) return 'db';
  if (isRoutes(file)) return 'http';
  if (file.startsWith('workers/')) return 'entry';
  const [, top] = file.split('/');
  if (!file.startsWith('src/') || !top) throw new Error(`no layer for ${file}`);
  if (top === 'kernel') return 'kernel';
  if (top === 'events' || top === 'bus') return 'events';
  if (top === 'http' || top === 'admin') return 'http';
  if (top === 'entries' || ['server.ts', 'start.ts', 'node.ts', 'deno.ts', 'worker.ts', 'bootstrap.ts', 'build-deps.ts'].includes(top)) return 'entry';
  if (top.endsWith('.ts')) return 'app';
  return 'domain';
}

/** A domain's name (its folder under src/), for domain files other than routes. */
const domainOf = (file: string) => (layerOf(file) === 'domain' ? file.split('/')[1]! : null);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return name === 'migrations' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every relative import of the project's source, resolved to project paths. */
function projectImports(): Import[] {
  const files = ['src', 'db', 'workers'].flatMap(sourceFiles);
  return files.flatMap((from) => {
    const text = readFileSync(join(ROOT, from), 'utf8');
    return [...text.matchAll(IMPORT)].map((m) => ({
      from,
      to: relative(ROOT, resolve(ROOT, dirname(from), m[3] ?? m[4]!)),
      typeOnly: !!m[2],
    }));
  });
}

const imports = projectImports();
const show = (list: Import[]) => list.map((i) => `${i.from} → ${i.to}${i.typeOnly ? ' (type)' : ''}`);

describe('the direction of dependencies', () => {
  test('finds the imports it checks', () => {
    expect(imports.length).toBeGreaterThan(200);
  });

  test('no layer imports a layer above it', () => {
    const upward = imports.filter((i) => {
      // The one exception: the kernel names the database's types (its context and transactor the
      // client's; an actor's role and a metric's label the lists of db/schema), never its code.
      if (layerOf(i.from) === 'kernel' && i.typeOnly && (i.to === 'db/client.ts' || i.to.startsWith('db/schema/'))) return false;
      return rank(layerOf(i.to)) > rank(layerOf(i.from));
    });
    expect(show(upward)).toEqual([]);
  });

  test('a domain reaches the HTTP layer only from its routes', () => {
    expect(show(imports.filter((i) => domainOf(i.from) && layerOf(i.to) === 'http'))).toEqual([]);
  });

  test('payments imports neither billing nor subscriptions; subscriptions never imports billing', () => {
    const forbidden: Record<string, string[]> = { payments: ['billing', 'subscriptions'], subscriptions: ['billing'] };
    expect(show(imports.filter((i) => forbidden[domainOf(i.from) ?? '']?.includes(domainOf(i.to) ?? '')))).toEqual([]);
  });

  test('domains import each other without cycles', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of imports) {
      const [a, b] = [domainOf(i.from), domainOf(i.to)];
      if (a && b && a !== b) edges.set(a, (edges.get(a) ?? new Set()).add(b));
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(edges.get(from) ?? [])].some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
    const cycles = [...edges].flatMap(([a, targets]) => [...targets].filter((b) => a < b && reaches(b, a)).map((b) => `${a} ⇄ ${b}`));
    expect(cycles).toEqual([]);
  });
});

/** Every module specifier a file imports (relative or a package), static or dynamic, types aside. */
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The packages and built-ins reachable from `entry` through its runtime imports. */
function reachablePackages(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  for (const queue = [entry]; queue.length > 0; ) {
    const file = queue.pop()!;
    if (seen.has(file) || !file.endsWith('.ts')) continue;
    seen.add(file);
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(SPECIFIER)) {
      const specifier = m[1] ?? m[2]!;
      if (specifier.startsWith('.')) queue.push(relative(ROOT, resolve(ROOT, dirname(file), specifier)));
      else if (!packages.has(specifier)) packages.set(specifier, file);
    }
  }
  return packages;
}

describe('the Workers entry', () => {
  test('reaches no file system, native driver, TCP Kafka client, SMTP or pdfkit through its imports', () => {
    const packages = reachablePackages('src/worker.ts');
    expect(packages.has('hono')).toBe(true);
    const serverOnly = /^(node:|fs$|libsql$|@libsql\/client|@platformatic\/kafka|nodemailer|prom-client|pdfkit)/;
    expect([...packages].filter(([name]) => serverOnly.test(name)).map(([name, from]) => `${from} → ${name}`)).toEqual([]);
  });
});
