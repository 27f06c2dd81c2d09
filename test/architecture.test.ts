import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The direction of dependencies, checked on every import of the source (not the tests):
 *
 *   entries (server, start, node, deno, worker, bootstrap, build-deps, src/entries, workers/, bin/)
 *     → app (app.ts, deps.ts, config.ts, context builder)
 *       → http (src/http)
 *         → domains (src/<domain>)
 *           → events and bus (src/events, src/bus, each domain's events.ts)
 *             → db (db/)
 *               → kernel (src/kernel)
 *
 * A domain's `routes.ts` (or `routes/`) belongs to the HTTP layer; its `events.ts` (the schemas
 * of the events it emits, gathered by src/events/catalog.ts) belongs to the events layer and
 * imports only src/events, db and the kernel: none of its domain's verbs, no other domain's file.
 * A file may import its own layer or any layer below it, never one above. Besides: domains
 * import each other without cycles; payments imports neither billing nor subscriptions, and
 * subscriptions never imports billing (billing reacts to them). And no file reaches itself
 * through its imports, type imports included.
 */
const ROOT = resolve(import.meta.dir, '..');
const LAYERS = ['kernel', 'db', 'events', 'domain', 'http', 'app', 'entry'] as const;
type Layer = (typeof LAYERS)[number];
const rank = (layer: Layer) => LAYERS.indexOf(layer);

/** A domain's (or the events') HTTP routes: they belong to the HTTP layer. */
const isRoutes = (file: string) => /^src\/[^/]+\/(routes\.ts|routes\/)/.test(file);

/** A domain's event schemas: they belong to the events layer. */
const isDomainEvents = (file: string) => /^src\/[^/]+\/events\.ts$/.test(file) && !file.startsWith('src/events/');

/** The layer of a project file, by its path relative to the root. */
function layerOf(file: string): Layer {
  if (file.startsWith('db/')) return 'db';
  if (isRoutes(file)) return 'http';
  if (isDomainEvents(file)) return 'events';
  if (file.startsWith('workers/') || file.startsWith('bin/')) return 'entry';
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

/** Where the project's source lives: the application, the database, the workers and the command-line tools. */
const SOURCE_DIRS = ['src', 'db', 'workers', 'bin'];

/** Every relative import of the project's source, resolved to project paths. */
function projectImports(): Import[] {
  const files = SOURCE_DIRS.flatMap(sourceFiles);
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

  test("a domain's events.ts imports only src/events, db and the kernel: not its domain's verbs, not another domain's files", () => {
    const declared = imports.filter((i) => isDomainEvents(i.from));
    expect(new Set(declared.map((i) => i.from)).size).toBeGreaterThan(10);
    const allowed = (to: string) => to.startsWith('src/events/') || to.startsWith('db/') || to.startsWith('src/kernel/');
    expect(show(declared.filter((i) => !allowed(i.to)))).toEqual([]);
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

/**
 * The loops of an import graph: its strongly connected components of more than one file (or
 * a file importing itself), found with Tarjan's algorithm. Each is shown as one loop from
 * its first file, shortest first, then the other files knotted into it.
 */
function importCycles(list: Import[]): string[] {
  const edges = new Map<string, string[]>();
  for (const i of list) edges.set(i.from, [...(edges.get(i.from) ?? []), i.to]);
  const targets = (file: string) => (edges.get(file) ?? []).filter((to) => edges.has(to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const to of targets(file)) {
      if (!index.has(to)) visit(to);
      if (stack.includes(to)) low.set(file, Math.min(low.get(file)!, low.get(to)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component = stack.splice(stack.indexOf(file));
    if (component.length > 1 || targets(file).includes(file)) components.push(component.sort());
  };
  for (const file of [...edges.keys()].sort()) if (!index.has(file)) visit(file);
  return components.map((component) => {
    const [start] = component as [string];
    // Breadth-first from the first file back to it, inside the component: the shortest loop.
    const before = new Map<string, string>();
    for (const queue = [start]; queue.length > 0 && !before.has(start); ) {
      const file = queue.shift()!;
      for (const to of targets(file).filter((t) => component.includes(t) && !before.has(t))) before.set(to, file), queue.push(to);
    }
    const loop = [start];
    for (let file = before.get(start)!; file !== start; file = before.get(file)!) loop.splice(1, 0, file);
    const rest = component.filter((file) => !loop.includes(file));
    return `${[...loop, start].join(' → ')}${rest.length > 0 ? ` (with ${rest.join(', ')})` : ''}`;
  });
}

describe('no import loops', () => {
  test('no two files import each other, directly or through others', () => {
    expect(importCycles(imports)).toEqual([]);
  });

  test('finds a loop when there is one', () => {
    const edge = (from: string, to: string, typeOnly = false): Import => ({ from, to, typeOnly });
    const loops = importCycles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts', true), edge('c.ts', 'a.ts'), edge('c.ts', 'd.ts'), edge('d.ts', 'b.ts'), edge('e.ts', 'e.ts'), edge('f.ts', 'a.ts')]);
    expect(loops).toEqual(['a.ts → b.ts → c.ts → a.ts (with d.ts)', 'e.ts → e.ts']);
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
