import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as billingTables from '../db/schema/billing.ts';
import * as schema from '../db/schema/index.ts';
import * as profileTables from '../db/schema/profiles.ts';

/**
 * Issue 9's vocabulary, checked on the source (not the tests): each list of values is
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

describe('issue 9: each status, kind, role and segment list is defined once', () => {
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

describe("issue 9: tables live in their domain's schema file", () => {
  test("profiling's loyalty table is in db/schema/profiles.ts, not billing's (the same table: no migration)", () => {
    expect('loyalty' in profileTables).toBe(true);
    expect('loyalty' in billingTables).toBe(false);
    expect(schema.loyalty).toBe((profileTables as Record<string, unknown>).loyalty as typeof schema.loyalty);
  });
});
