import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as billingTables from '../db/schema/billing.ts';
import * as schema from '../db/schema/index.ts';
import * as profileTables from '../db/schema/profiles.ts';
import type { TestPlatform } from './harness.ts';

/**
 * The shared vocabulary, checked on the source (not the tests): each list of values is
 * written once, in db/schema, and everything else derives from it.
 */
const ROOT = resolve(import.meta.dir, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return name === 'migrations' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = ['src', 'db', 'workers'].flatMap(sourceFiles).map((file) => ({ file: relative(ROOT, join(ROOT, file)), text: readFileSync(join(ROOT, file), 'utf8') }));

/** Every array literal of two or more quoted strings in the source, with where it stands. */
const literals = files.flatMap(({ file, text }) =>
  [...text.matchAll(/\[\s*'[^'\n]*'(?:\s*,\s*'[^'\n]*')+\s*,?\s*\]/g)].map((m) => ({ file, values: [...m[0].matchAll(/'([^'\n]*)'/g)].map((q) => q[1]!) })),
);

/** The lists of values db/schema exports: statuses, kinds, roles, segments … */
const lists = (Object.entries(schema) as [string, unknown][]).filter((entry): entry is [string, readonly string[]] => Array.isArray(entry[1]) && entry[1].every((x) => typeof x === 'string'));

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
