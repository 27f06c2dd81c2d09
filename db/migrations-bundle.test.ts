import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import journal from './migrations/meta/_journal.json' with { type: 'json' };
import { bundledMigrations } from './migrations-bundle.ts';

test('the Workers bundle carries every migration of the journal, each with its file\'s exact SQL', () => {
  const expected = journal.entries.map((entry) => `m${String(entry.idx).padStart(4, '0')}`);
  expect(Object.keys(bundledMigrations.migrations).sort()).toEqual(expected);
  for (const entry of journal.entries) {
    const sql = readFileSync(join(import.meta.dir, 'migrations', `${entry.tag}.sql`), 'utf8');
    expect(bundledMigrations.migrations[`m${String(entry.idx).padStart(4, '0')}`]).toBe(sql);
  }
});
