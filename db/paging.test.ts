import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { DomainError } from '../src/kernel/errors.ts';
import { openTempDatabase } from '../test/processes.ts';
import type { Database } from './client.ts';
import { decodeCursor, filterBy, listPage, type PageRequest } from './paging.ts';
import { auditLog } from './schema/index.ts';

let temp: Awaited<ReturnType<typeof openTempDatabase>>;
let database: Database;

beforeAll(async () => {
  temp = await openTempDatabase('paging-');
  database = temp.database;
  // aud_01 … aud_07; odd ones by alice, even ones by bob.
  const rows = Array.from({ length: 7 }, (_, i) => ({ id: `aud_0${i + 1}`, actor: i % 2 === 0 ? 'alice' : 'bob', action: 'x.do', targetType: 't', targetId: 't1', at: i }));
  await database.db.insert(auditLog).values(rows);
});
afterAll(() => temp.remove());

const audit = (page: PageRequest, options: { actor?: string; order?: 'asc' | 'desc' } = {}) =>
  listPage(database.db.select().from(auditLog).$dynamic(), page, {
    key: auditLog.id,
    keyOf: (r) => r.id,
    order: options.order,
    where: [filterBy(auditLog.actor, options.actor)],
    present: (rows) => rows.map((r) => r.id),
  });

/** Every page of a list, following `next_cursor` until `has_more` is false. */
async function walk(next: (cursor?: string) => ReturnType<typeof audit>) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await next(cursor);
    pages.push(page.data);
    expect(page.has_more).toBe(page.next_cursor !== null);
    if (!page.next_cursor) return pages;
    cursor = page.next_cursor;
  }
}

describe('keyset paging lives in the data layer, one listPage helper for every list', () => {
  test('newest first by default: limit + 1 tells has_more, the cursor carries on past the last key', async () => {
    expect(await walk((cursor) => audit({ limit: 3, cursor }))).toEqual([
      ['aud_07', 'aud_06', 'aud_05'],
      ['aud_04', 'aud_03', 'aud_02'],
      ['aud_01'],
    ]);
  });

  test('oldest first with order asc, and a page that ends exactly at the last row has no more', async () => {
    expect(await walk((cursor) => audit({ limit: 7, cursor }, { order: 'asc' }))).toEqual([['aud_01', 'aud_02', 'aud_03', 'aud_04', 'aud_05', 'aud_06', 'aud_07']]);
  });

  test('filters apply to every page; a filter not asked for (absent or empty) is left out', async () => {
    expect(await walk((cursor) => audit({ limit: 2, cursor }, { actor: 'bob' }))).toEqual([['aud_06', 'aud_04'], ['aud_02']]);
    expect((await audit({ limit: 10 }, { actor: '' })).data).toHaveLength(7);
  });

  test('a cursor the list did not hand out is a validation error naming cursor', async () => {
    for (const cursor of ['not-a-cursor!', btoa('42')]) {
      const error = await audit({ limit: 2, cursor }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('validation');
      expect((error as DomainError).details.issues?.map((i) => i.field)).toEqual(['cursor']);
    }
    expect(decodeCursor(undefined, 'number')).toBeUndefined();
  });
});
