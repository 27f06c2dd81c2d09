// Runtime-neutral (no driver imports): the HTTP layer and the workers classify the errors of every driver with it.

/** Why the database refuses writes: a full disk, a read-only file or file system, an I/O failure, a file it cannot open. */
export type StorageFaultKind = 'disk_full' | 'read_only' | 'io_error' | 'cannot_open';

/** A failure of the storage under the database, not of the statement: retrying later, unchanged, can succeed. */
export interface StorageFault {
  kind: StorageFaultKind;
  /** The driver's message (`database or disk is full`), without SQL or parameters. */
  message: string;
}

/** SQLite's primary result codes (extended ones share the prefix: SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED …) and messages. */
const faultPatterns: readonly { kind: StorageFaultKind; code: RegExp; message: RegExp }[] = [
  { kind: 'disk_full', code: /^SQLITE_FULL\b/, message: /database or disk is full/i },
  { kind: 'read_only', code: /^SQLITE_READONLY/, message: /readonly database|read-only file system/i },
  { kind: 'io_error', code: /^SQLITE_IOERR/, message: /disk I\/O error/i },
  { kind: 'cannot_open', code: /^SQLITE_CANTOPEN/, message: /unable to open database file/i },
];

/**
 * The storage fault behind a thrown value, looking through its causes (drizzle wraps the
 * driver's error in `cause`; @libsql/client's `LibsqlError` and the synchronous driver's
 * `SqliteError` carry SQLite's code), or undefined when the failure is not the storage's.
 */
export function storageFaultOf(error: unknown): StorageFault | undefined {
  const seen = new Set<unknown>();
  for (let e: unknown = error; typeof e === 'object' && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    const message = (e as { message?: unknown }).message;
    for (const pattern of faultPatterns) {
      if ((typeof code === 'string' && pattern.code.test(code)) || (typeof message === 'string' && pattern.message.test(message))) {
        return { kind: pattern.kind, message: typeof message === 'string' && message ? message.split('\n')[0]! : pattern.kind };
      }
    }
  }
  return undefined;
}

