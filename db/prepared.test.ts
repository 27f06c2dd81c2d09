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
    // The outbox has 13 columns: 7 rows fill one statement's 100 parameters, so 23 rows take 3 full statements and one of 2.
    for (const [subject, count] of [['sub_a', 23], ['sub_b', 2], ['sub_c', 7]] as const) {
      const rows = Array.from({ length: count }, (_, i) => event(i + 1, subject));
      await database.transaction((tx) => insertEvents(tx, rows));
      const stored = await database.db.select().from(outbox).where(eqSubject(subject)).orderBy(asc(outbox.sequence));
      expect(stored).toEqual(rows);
    }
  });

  test('a row that breaks a constraint fails the call, and the transaction keeps none of its rows', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => event(i + 1, 'sub_d'));
    rows[10] = { ...rows[10]!, sequence: 1 }; // the same (subject, sequence) as the first row
    await expect(database.transaction((tx) => insertEvents(tx, rows))).rejects.toThrow();
    expect(await database.db.select().from(outbox).where(eqSubject('sub_d'))).toEqual([]);
  });
});

const eqSubject = (subject: string) => eq(outbox.subject, subject);
