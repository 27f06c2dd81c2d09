import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE, migrationKey, migrationsBundleSource, readJournal } from '../scripts/generate-migrations-bundle.ts';
import journal from './migrations/meta/_journal.json' with { type: 'json' };
import { bundledMigrations } from './migrations-bundle.ts';

test('db/migrations-bundle.ts is what the generator writes from the journal today', () => {
  const stale = 'db/migrations-bundle.ts is stale: run `npm run db:generate` (or `bun scripts/generate-migrations-bundle.ts`) and commit the result';
  expect(readFileSync(BUNDLE, 'utf8') === migrationsBundleSource(readJournal()) ? 'fresh' : stale).toBe('fresh');
});

test("the Workers bundle carries every migration of the journal, each with its file's exact SQL", () => {
  expect(Object.keys(bundledMigrations.migrations).sort()).toEqual(journal.entries.map((entry) => migrationKey(entry.idx)));
  for (const entry of journal.entries) {
    const sql = readFileSync(join(import.meta.dir, 'migrations', `${entry.tag}.sql`), 'utf8');
    expect(bundledMigrations.migrations[migrationKey(entry.idx)]).toBe(sql);
  }
});
