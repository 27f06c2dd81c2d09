import { describe, expect, test } from 'bun:test';
import { storageFaultOf } from './storage-fault.ts';

/** An error as each driver throws it: the synchronous `libsql` driver's SqliteError, @libsql/client's LibsqlError. */
const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('storage faults', () => {
  test('a full disk, a read-only database, an I/O failure and a file that cannot be opened are told apart by code', () => {
    expect(storageFaultOf(sqliteError('SQLITE_FULL', 'database or disk is full'))).toEqual({ kind: 'disk_full', message: 'database or disk is full' });
    expect(storageFaultOf(sqliteError('SQLITE_READONLY', 'attempt to write a readonly database'))?.kind).toBe('read_only');
    expect(storageFaultOf(sqliteError('SQLITE_READONLY_DBMOVED', 'attempt to write a readonly database'))?.kind).toBe('read_only');
    expect(storageFaultOf(sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error'))?.kind).toBe('io_error');
    expect(storageFaultOf(sqliteError('SQLITE_CANTOPEN', 'unable to open database file'))?.kind).toBe('cannot_open');
  });

  test('found through the causes drizzle wraps the driver error in, and by the message alone', () => {
    const wrapped = new Error('Failed query: insert into "customers" … params: …', { cause: sqliteError('SQLITE_FULL', 'database or disk is full') });
    expect(storageFaultOf(wrapped)).toEqual({ kind: 'disk_full', message: 'database or disk is full' });
    expect(storageFaultOf(new Error('outer', { cause: new Error('SQLITE_FULL: database or disk is full') }))?.kind).toBe('disk_full');
  });

  test('a statement\'s own failure, a busy database or a plain error is not a storage fault', () => {
    expect(storageFaultOf(sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: customers.email'))).toBeUndefined();
    expect(storageFaultOf(sqliteError('SQLITE_BUSY', 'database is locked'))).toBeUndefined();
    expect(storageFaultOf(new TypeError('template exploded'))).toBeUndefined();
    expect(storageFaultOf('database')).toBeUndefined();
    const cyclic: { message: string; cause?: unknown } = { message: 'loop' };
    cyclic.cause = cyclic;
    expect(storageFaultOf(cyclic)).toBeUndefined();
  });
});
