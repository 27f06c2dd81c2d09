import { and, count, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { decodeCursor, filterBy, invalidCursor, listPage, type PageRequest } from '../../db/paging.ts';
import { deadLetters, inbox, invoices, outbox, payments, subscriptions } from '../../db/schema/index.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { EventType } from './catalog.ts';
import { inChunks } from '../../db/chunks.ts';
import type { EventResource } from './contract.ts';

/** The validated query of GET /v1/events. */
export interface ListEventsQuery {
  limit: number;
  cursor?: string;
  type?: EventType;
  subject?: string;
}

/**
 * The outbox's commit order. Event ids (ULIDs) are fixed before commit, so an
 * event committed later, in another process, can carry a smaller id than one
 * a reader has already paged past. SQLite has one writer at a time and outbox
 * rows are never deleted, so a row's rowid (max + 1 at insert, under the write
 * lock) only grows with commit order. The table has no INTEGER PRIMARY KEY, so
 * a VACUUM may renumber rowids and invalidate cursors held by clients.
 */
const commitOrder = sql<number>`${outbox}.rowid`;

/**
 * The cursor is the last rowid as a string of digits: every list refuses a bare
 * JSON number cursor (test/validation.api.test.ts), and a cursor handed out
 * before the switch to rowids (an event id) fails the digits check.
 */
function decodePosition(cursor: string | undefined): number | undefined {
  const key = decodeCursor(cursor, 'string');
  if (key === undefined) return undefined;
  if (!/^\d{1,15}$/.test(key)) throw invalidCursor();
  return Number(key);
}

/** Events in commit order (a log), filtered by type and subject, with their delivery state. */
export function listEvents(db: Executor, query: ListEventsQuery) {
  const select = db.select({ ...getTableColumns(outbox), position: commitOrder }).from(outbox);
  return listPage(select.$dynamic(), query, {
    key: commitOrder,
    keyOf: (r) => String(r.position),
    order: 'asc',
    where: [filterBy(outbox.type, query.type), filterBy(outbox.subject, query.subject)],
    decodeKey: decodePosition,
    present: (rows) => withDelivery(db, rows),
  });
}

/**
 * Every event about one customer, in commit order: those whose subject is the customer
 * itself (its lifecycle, users, credits, notifications) or one of its subscriptions,
 * invoices or payments. A customer's timeline; the caller checks that the customer exists.
 */
export function listCustomerEvents(db: Executor, customerId: string, page: PageRequest) {
  const subjects = sql`SELECT ${customerId}
    UNION ALL SELECT ${subscriptions.id} FROM ${subscriptions} WHERE ${subscriptions.customerId} = ${customerId}
    UNION ALL SELECT ${invoices.id} FROM ${invoices} WHERE ${invoices.customerId} = ${customerId}
    UNION ALL SELECT ${payments.id} FROM ${payments} WHERE ${payments.customerId} = ${customerId}`;
  const select = db.select({ ...getTableColumns(outbox), position: commitOrder }).from(outbox);
  return listPage(select.$dynamic(), page, {
    key: commitOrder,
    keyOf: (r) => String(r.position),
    order: 'asc',
    where: [sql`${outbox.subject} IN (${subjects})`],
    decodeKey: decodePosition,
    present: (rows) => withDelivery(db, rows),
  });
}

/** The page's events with their delivery state; who handled them in one query for the page. */
async function withDelivery(db: Executor, rows: (typeof outbox.$inferSelect)[]): Promise<EventResource[]> {
  const ids = rows.map((r) => r.id);
  const handled = await inChunks(ids, (part) => db.select().from(inbox).where(inArray(inbox.eventId, part)));
  const groupsOf = new Map<string, string[]>();
  for (const h of handled) groupsOf.set(h.eventId, [...(groupsOf.get(h.eventId) ?? []), h.consumer]);
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    source: r.source,
    subject: r.subject,
    sequence: r.sequence,
    time: toIso(r.time),
    data: r.data,
    delivery: {
      state: r.publishedAt === null ? ('pending' as const) : ('published' as const),
      published_at: toIsoOrNull(r.publishedAt),
      attempts: r.attempts,
      last_error: r.lastError,
      handled_by: (groupsOf.get(r.id) ?? []).sort(),
    },
  }));
}
