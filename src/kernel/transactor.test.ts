import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../db/client.ts';
import { createTransactor } from './transactor.ts';

let dir: string;
let database: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'transactor-'));
  database = await openDatabase(`file:${join(dir, 't.db')}`);
  await database.db.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`);
});
afterAll(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = async () => (await database.db.all<{ name: string }>(sql`SELECT name FROM items ORDER BY id`)).map((r) => r.name);

describe('transactor (group commit)', () => {
  test('coalesces concurrent commands into fewer commits; a failing one rolls back only itself', async () => {
    let commits = 0;
    const transactor = createTransactor(database, { maxBatch: 64, onCommit: () => commits++ });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        transactor.write(async (tx) => {
          await tx.run(sql`INSERT INTO items (name) VALUES (${`item-${i}`})`);
          if (i === 7) throw new Error('command 7 refuses');
          return i;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(19);
    const rejected = results[7] as PromiseRejectedResult;
    expect(String(rejected.reason)).toContain('command 7 refuses');
    const stored = await names();
    expect(stored).toHaveLength(19);
    expect(stored).not.toContain('item-7');
    // 20 commands, far fewer commits: the first runs alone, the 19 queued behind it share one.
    expect(commits).toBeLessThanOrEqual(2);
  });

  test('with maxBatch 1 every command commits on its own', async () => {
    let commits = 0;
    const transactor = createTransactor(database, { maxBatch: 1, onCommit: () => commits++ });
    await Promise.all(Array.from({ length: 5 }, (_, i) => transactor.write(async (tx) => tx.run(sql`INSERT INTO items (name) VALUES (${`solo-${i}`})`))));
    expect(commits).toBe(5);
  });

  test('a constraint violation inside a group fails that command alone', async () => {
    const transactor = createTransactor(database);
    const results = await Promise.allSettled([
      transactor.write(async (tx) => tx.run(sql`INSERT INTO items (name) VALUES ('dup')`)),
      transactor.write(async (tx) => tx.run(sql`INSERT INTO items (name) VALUES ('dup')`)),
      transactor.write(async (tx) => tx.run(sql`INSERT INTO items (name) VALUES ('after-dup')`)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await names()).filter((n) => n === 'dup' || n === 'after-dup')).toEqual(['dup', 'after-dup']);
  });
});
