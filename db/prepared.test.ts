import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { asc, eq } from 'drizzle-orm';
import { openTempDatabase } from '../test/processes.ts';
import type { Database } from './client.ts';
import { insertMany } from './prepared.ts';
import { outbox } from './schema/index.ts';

let temp: Awaited<ReturnType<typeof openTempDatabase>>;
let database: Database;

beforeAll(async () => {
  temp = await openTempDatabase('prepared-');
  database = temp.database;
});
afterAll(() => temp.remove());

const insertEvents = insertMany(outbox);
const event = (n: number, subject: string): typeof outbox.$inferSelect => ({
  id: `evt_${subject}_${String(n).padStart(4, '0')}`,
  type: 'usage.recorded',
  source: 'test',
  subject,
  sequence: n,
  time: 1_700_000_000_000 + n,
  data: { n, text: `quote " backslash \\ line\nemoji 😀 ${n}`, nested: { list: [1, 'two', null] } },
  publishedAt: n % 3 === 0 ? 1_700_000_000_500 : null,
  claimedUntil: null,
  attempts: n % 2,
  lastError: n % 5 === 0 ? 'failed once' : null,
  requestId: n % 4 === 0 ? null : `req_${n}`,
  traceparent: null,
});

describe('insertMany', () => {
  test('stores every row as given, whatever their number: across several statements and a shorter last one', async () => {
    // A local file's write handle takes 50 rows a statement: 123 rows are two full statements and one of 23.
    for (const [subject, count] of [['sub_a', 123], ['sub_b', 2], ['sub_c', 50], ['sub_e', 51]] as const) {
      const rows = Array.from({ length: count }, (_, i) => event(i + 1, subject));
      await database.transaction((tx) => insertEvents(tx, rows));
      const stored = await database.db.select().from(outbox).where(eqSubject(subject)).orderBy(asc(outbox.sequence));
      expect(stored).toEqual(rows);
    }
  });

  test('on a handle that names no larger limit, rows go as many as fit the portable 100 parameters a statement', async () => {
    // The read handle is not marked: the outbox's 13 columns make 7 rows a statement, so 23 rows are 3 full statements and one of 2.
    const rows = Array.from({ length: 23 }, (_, i) => event(i + 1, 'sub_f'));
    await insertEvents(database.db, rows);
    expect(await database.db.select().from(outbox).where(eqSubject('sub_f')).orderBy(asc(outbox.sequence))).toEqual(rows);
  });

  test('a row that breaks a constraint fails the call, and the transaction keeps none of its rows', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => event(i + 1, 'sub_d'));
    rows[10] = { ...rows[10]!, sequence: 1 }; // the same (subject, sequence) as the first row
    await expect(database.transaction((tx) => insertEvents(tx, rows))).rejects.toThrow();
    expect(await database.db.select().from(outbox).where(eqSubject('sub_d'))).toEqual([]);
  });
});

const eqSubject = (subject: string) => eq(outbox.subject, subject);
