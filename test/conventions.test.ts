import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as billingTables from '../db/schema/billing.ts';
import * as schema from '../db/schema/index.ts';
import * as profileTables from '../db/schema/profiles.ts';
import type { TestPlatform } from './harness.ts';

/**
 * The shared vocabulary, checked on the source (not the tests): each list of values is
 * written once, in db/schema, and everything else derives from it: arrays, union types,
 * validators and their messages, the command line's choices.
 */
const ROOT = resolve(import.meta.dir, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return name === 'migrations' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = ['src', 'db', 'workers', 'bin'].flatMap(sourceFiles).map((file) => ({ file: relative(ROOT, join(ROOT, file)), text: readFileSync(join(ROOT, file), 'utf8') }));

/** Every array literal of two or more quoted strings in the source, with where it stands. */
const literals = files.flatMap(({ file, text }) =>
  [...text.matchAll(/\[\s*'[^'\n]*'(?:\s*,\s*'[^'\n]*')+\s*,?\s*\]/g)].map((m) => ({ file, values: [...m[0].matchAll(/'([^'\n]*)'/g)].map((q) => q[1]!) })),
);

/** The lists of values db/schema exports: statuses, kinds, roles, segments … */
const lists = (Object.entries(schema) as [string, unknown][]).filter((entry): entry is [string, readonly string[]] => Array.isArray(entry[1]) && entry[1].every((x) => typeof x === 'string'));

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Every union type of two or more string literals in the source (`'a' | 'b'`), with where it stands. */
const unions = files.flatMap(({ file, text }) =>
  [...text.matchAll(/'[^'\n]*'(?:\s*\|\s*'[^'\n]*')+/g)].map((m) => ({ at: `${file}:${lineOf(text, m.index)}`, values: [...m[0].matchAll(/'([^'\n]*)'/g)].map((q) => q[1]!) })),
);

/** The one file that words the refusal of a value outside a list (src/kernel/one-of.ts: `oneOf`, `mustBeOneOf`). */
const ONE_OF = 'src/kernel/one-of.ts';

describe('each status, kind, role and segment list is defined once', () => {
  test('db/schema exports every list the tables, validators and events derive from', () => {
    expect(lists.map(([name]) => name).sort()).toEqual(
      expect.arrayContaining([
        'customerStatuses', 'customerKinds', 'customerSegments', 'userStatuses', 'userRoles', 'operatorRoles',
        'planStatuses', 'planIntervals', 'quotaPolicies', 'subscriptionStatuses', 'adjustmentKinds',
        'invoiceStatuses', 'billingReasons', 'invoiceLineKinds', 'paymentStatuses', 'paymentTriggers', 'paymentStepOutcomes',
        'creditReasons', 'notificationChannels', 'notificationStatuses', 'notificationOutcomes',
      ]),
    );
  });

  test('no list is written out again anywhere in the source: one literal each, in db/schema', () => {
    const rewritten = lists.flatMap(([name, values]) => {
      const places = literals.filter((l) => l.values.join('|') === values.join('|'));
      return places.length > 1 || places.some((p) => !p.file.startsWith('db/schema/')) ? [`${name}: ${places.map((p) => p.file).join(', ')}`] : [];
    });
    expect(rewritten).toEqual([]);
  });

  test('finds the union types it checks', () => {
    expect(unions.length).toBeGreaterThan(20);
  });

  test('no union type spells out a list: it names the list\'s type ((typeof xs)[number], adding its own values with |)', () => {
    // A union holding every value of a list restates it (as is, or with values of its own, like an
    // actor's role: the operator roles, `system` and `none`). A strict subset may be a narrower
    // vocabulary of its own (`'requested' | 'customer_erased'`); prefer Extract<…> there too.
    const spelled = unions.flatMap((u) => lists.filter(([, values]) => values.every((x) => u.values.includes(x))).map(([name]) => `${u.at}: ${u.values.join(' | ')} spells out ${name}`));
    expect(spelled).toEqual([]);
  });

  test('a value outside a list is refused in one wording, from one helper: oneOf(list), not v.picklist(list, `must be one of …`)', () => {
    expect(files.some((f) => f.file === ONE_OF && f.text.includes('must be one of'))).toBe(true);
    const worded = files.flatMap(({ file, text }) => (file === ONE_OF ? [] : [...text.matchAll(/must be one of/g)].map((m) => `${file}:${lineOf(text, m.index)}`)));
    expect(worded).toEqual([]);
  });
});

/** Exported names that several files may each declare: a lifecycle's transition function. */
const SHARED_NAMES: Record<string, string[]> = {
  nextStatus: ['src/customers/lifecycle.ts', 'src/subscriptions/lifecycle.ts'],
};

/** Every exported function of the source (`export function f`, `export const f = (…) =>`), by name. */
const exportedFunctions = files.flatMap(({ file, text }) =>
  [...text.matchAll(/^export\s+(?:async\s+)?function\*?\s+([\w$]+)|^export\s+const\s+([\w$]+)\s*(?::[^=\n]*)?=\s*(?:async\s*)?(?:\([^)]*\)|[\w$]+)\s*(?::\s*[^=\n]+)?=>/gm)].map((m) => ({ name: (m[1] ?? m[2])!, file })),
);

describe('each function is written once', () => {
  test('finds the exported functions it checks', () => {
    expect(exportedFunctions.length).toBeGreaterThan(300);
  });

  test('no two files export a function of the same name (import the one that exists instead)', () => {
    const byName = new Map<string, string[]>();
    // An overloaded function declares its name once per signature, in one file.
    for (const { name, file } of exportedFunctions) byName.set(name, [...new Set([...(byName.get(name) ?? []), file])]);
    const twice = [...byName].filter(([name, found]) => found.length > 1 && found.sort().join() !== [...(SHARED_NAMES[name] ?? [])].sort().join());
    expect(twice.map(([name, found]) => `${name}: ${found.join(', ')}`)).toEqual([]);
  });
});

describe("tables live in their domain's schema file", () => {
  test("profiling's loyalty table is in db/schema/profiles.ts, not billing's (the same table: no migration)", () => {
    expect('loyalty' in profileTables).toBe(true);
    expect('loyalty' in billingTables).toBe(false);
    expect(schema.loyalty).toBe((profileTables as Record<string, unknown>).loyalty as typeof schema.loyalty);
  });
});

const domains = readdirSync(join(ROOT, 'src')).filter((name) => statSync(join(ROOT, 'src', name)).isDirectory() && !['kernel', 'http', 'events', 'bus', 'entries'].includes(name));
const domainFiles = (domain: string) => files.filter((f) => f.file.startsWith(`src/${domain}/`));

describe('one name per file role in every domain', () => {
  test("API shapes are a domain's contract.ts; db/schema alone holds tables", () => {
    expect(domains.filter((d) => domainFiles(d).some((f) => f.file === `src/${d}/schema.ts`))).toEqual([]);
  });

  test('verbs have a file each, like customers: no commands.ts grab-bag', () => {
    expect(files.filter((f) => f.file.endsWith('/commands.ts')).map((f) => f.file)).toEqual([]);
    expect(['users/add.ts', 'users/change-role.ts', 'users/remove.ts', 'operators/create.ts', 'operators/update.ts'].filter((f) => !files.some((s) => s.file === `src/${f}`))).toEqual([]);
  });

  test("a domain's event consumer is its consumer.ts, and its queries are in queries.ts", () => {
    const consumers = domains.flatMap(domainFiles).filter((f) => /\bEventHandler\b/.test(f.text)).map((f) => f.file);
    expect(consumers).toEqual(expect.arrayContaining(['src/customers/consumer.ts', 'src/notifications/consumer.ts', 'src/profiling/consumer.ts']));
    // usage/consumer.ts is renamed with the billing engineer's restructuring of usage.
    expect(consumers.filter((f) => !f.endsWith('/consumer.ts') && f !== 'src/usage/consumer.ts')).toEqual([]);
    expect(files.filter((f) => f.file.endsWith('/consumer.ts') && /export (async )?function list/.test(f.text)).map((f) => f.file)).toEqual([]);
  });

  test("a domain's consumer.ts is wiring: it decodes the event and calls verbs, and holds no query", () => {
    const consumers = domains.flatMap(domainFiles).filter((f) => f.file.endsWith('/consumer.ts'));
    expect(consumers.length).toBeGreaterThan(5);
    const queries = consumers.flatMap(({ file, text }) => [
      // No query builder and no table in reach: drizzle-orm, db/schema and db/prepared are imported by verbs and queries.
      ...[...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'(drizzle-orm[^']*|(?:\.\.\/)+db\/(?:schema|prepared)[^']*)'/gm)].map((m) => `${file} imports ${m[1]}`),
      // No query method on a transaction or a database (`ctx.tx.select(`, `db.insert(`, …), no `….from(table)`.
      ...[...text.matchAll(/\b(?:tx|db)\s*\.\s*(?:select|selectDistinct|insert|update|delete|run|all|get|execute|batch|query)\s*[(<]|\)\s*\.from\s*\(/g)].map((m) => `${file}: ${m[0].replace(/\s+/g, '')}`),
    ]);
    expect(queries).toEqual([]);
  });
});

describe('the domain cycles auth ⇄ operators and customers ⇄ users are broken', () => {
  const imports = (from: string, to: string) => domainFiles(from).filter((f) => new RegExp(`from '\\.\\./${to}/`).test(f.text)).map((f) => f.file);

  test('operators import nothing from auth: password hashing is in the kernel, the password policy is the operators\'', () => {
    expect(imports('operators', 'auth')).toEqual([]);
    expect(imports('auth', 'operators').length).toBeGreaterThan(0);
  });

  test('customers import nothing from users: the user snapshot onboarding emits sits with the customer aggregate', () => {
    expect(imports('customers', 'users')).toEqual([]);
    expect(imports('users', 'customers').length).toBeGreaterThan(0);
  });
});

/** Every test file: test/**, and the unit tests beside the code in src/ and workers/. */
function testFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return testFiles(path);
    if (!name.endsWith('.ts')) return [];
    return dir === 'test' || dir.startsWith('test/') || name.endsWith('.test.ts') ? [path] : [];
  });
}

/** `any` written as a type: an annotation, a cast, a type argument or an array of it. */
const anyAsType = /:\s*any\b|\bas\s+any\b|<\s*any\s*[,>]|[,=]\s*any\s*[,>]|\bany\s*\[\]/;

type IsAny<T> = 0 extends 1 & T ? true : false;
/** A call that names no type, never made: tsc infers what it answers. */
const untypedCall = (p: TestPlatform) => p.call('GET', '/v1/customers');
/** Checked by tsc: the body of a call that names no type is not `any`. */
const defaultBodyIsAny: IsAny<Awaited<ReturnType<typeof untypedCall>>['body']> = false;

describe('tests use the app\'s types, not any', () => {
  test('no test file writes any as a type; name the contract type (CustomerResource, Page<…>, Problem) or a narrow local one', () => {
    const offending = ['test', 'src', 'workers'].flatMap(testFiles).flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (anyAsType.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offending).toEqual([]);
  });

  test("the harness's call answers an unknown body unless the test names what it expects", () => {
    expect(defaultBodyIsAny).toBe(false);
  });
});

describe('each id prefix belongs to one domain', () => {
  /** Where each prefix is minted (`newId('cus', …)`), by the top folder under src/ (or db/, workers/, bin/). */
  const minted = new Map<string, Set<string>>();
  for (const { file, text } of files) {
    for (const m of text.matchAll(/\bnewId\(\s*'([^']*)'/g)) {
      const owner = file.startsWith('src/') ? file.split('/').slice(0, 2).join('/') : file.split('/')[0]!;
      minted.set(m[1]!, (minted.get(m[1]!) ?? new Set()).add(owner));
    }
  }
  /** Onboarding mints the customer's first user as the users domain does. */
  const SHARED_PREFIXES: Record<string, string[]> = { usr: ['src/customers', 'src/users'] };

  test('finds the prefixes it checks', () => {
    expect(minted.size).toBeGreaterThan(25);
  });

  test('a prefix is 2 to 4 lowercase letters, and no two domains mint the same one', () => {
    expect([...minted.keys()].filter((prefix) => !/^[a-z]{2,4}$/.test(prefix))).toEqual([]);
    const shared = [...minted].filter(([prefix, owners]) => owners.size > 1 && [...owners].sort().join() !== (SHARED_PREFIXES[prefix] ?? []).join());
    expect(shared.map(([prefix, owners]) => `${prefix}: ${[...owners].join(', ')}`)).toEqual([]);
  });
});
