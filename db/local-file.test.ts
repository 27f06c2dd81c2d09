import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq, sql } from 'drizzle-orm';
import { openTempDatabase } from '../test/processes.ts';
import { openDatabase, type Database } from './client.ts';
import { prepared } from './prepared.ts';
import { auditLog } from './schema/index.ts';

let temp: Awaited<ReturnType<typeof openTempDatabase>>;
let database: Database;

beforeAll(async () => {
  temp = await openTempDatabase('local-file-');
  database = temp.database;
  await database.transaction(async (tx) =>
    tx.insert(auditLog).values(['a', 'b', 'c'].map((n, i) => ({ id: `aud_${n}`, actor: n, action: 'x.do', targetType: 't', targetId: n, at: i }))),
  );
});
afterAll(() => temp.remove());

describe('the local file driver (libsql, synchronous, statements compiled once)', () => {
  const byId = prepared((db) => db.select().from(auditLog).where(eq(auditLog.id, sql.placeholder('id'))).prepare());

  test('a statement reused with other parameters, by all and by get in turn, answers for the new parameters', async () => {
    // libsql 0.5 does not reset a statement that `all` iterated before a `get`: each way has its own statement.
    for (const id of ['aud_a', 'aud_b', 'aud_c', 'aud_a']) {
      expect((await byId(database.db).all({ id })).map((r) => r.actor)).toEqual([id.slice(4)]);
      expect((await byId(database.db).get({ id }))?.actor).toBe(id.slice(4));
      expect((await database.db.select().from(auditLog).where(eq(auditLog.id, id)))[0]?.actor).toBe(id.slice(4));
    }
    expect(await byId(database.db).get({ id: 'aud_none' })).toBeUndefined();
  });

  test('rows come back as objects or arrays as each caller asks, whatever the same SQL text was last used for', async () => {
    const text = 'select "id" from "audit_log" where "id" = ?';
    expect(await database.db.all(sql.raw(text.replace('?', "'aud_b'")))).toEqual([{ id: 'aud_b' }]);
    expect(await database.db.values(sql.raw(text.replace('?', "'aud_b'")))).toEqual([['aud_b']]);
    expect(await database.db.get(sql.raw(text.replace('?', "'aud_b'")))).toEqual({ id: 'aud_b' });
  });

  test('a write transaction is not seen by reads until it commits; a failing savepoint undoes only its own rows', async () => {
    let seenInside: number | undefined;
    await database.transaction(async (tx) => {
      await tx.insert(auditLog).values({ id: 'aud_d', actor: 'd', action: 'x.do', targetType: 't', targetId: 'd', at: 3 });
      await database.savepoint(tx, async (sp) => sp.insert(auditLog).values({ id: 'aud_e', actor: 'e', action: 'x.do', targetType: 't', targetId: 'e', at: 4 })).catch(() => undefined);
      await database
        .savepoint(tx, async (sp) => {
          await sp.insert(auditLog).values({ id: 'aud_f', actor: 'f', action: 'x.do', targetType: 't', targetId: 'f', at: 5 });
          throw new Error('undo f');
        })
        .catch(() => undefined);
      seenInside = (await database.db.select().from(auditLog)).length;
    });
    expect(seenInside).toBe(3);
    expect((await database.db.select({ id: auditLog.id }).from(auditLog)).map((r) => r.id).sort()).toEqual(['aud_a', 'aud_b', 'aud_c', 'aud_d', 'aud_e']);
  });

  test('a query that returns rows, run with run(), leaves later reads on the newest commit', async () => {
    // libsql 0.5 leaves such a statement open, and with it the connection's snapshot.
    await database.db.run(sql`select * from audit_log`);
    await database.transaction(async (tx) => tx.insert(auditLog).values({ id: 'aud_g', actor: 'g', action: 'x.do', targetType: 't', targetId: 'g', at: 6 }));
    expect((await database.db.select().from(auditLog).where(eq(auditLog.id, 'aud_g'))).map((r) => r.actor)).toEqual(['g']);
  });

  test('after close every query fails, cached statements included', async () => {
    const other = await openDatabase(temp.databaseUrl);
    await byId(other.db).get({ id: 'aud_a' });
    other.close();
    expect(() => byId(other.db).get({ id: 'aud_a' })).toThrow();
    await expect(async () => other.db.select().from(auditLog)).toThrow();
  });
});
