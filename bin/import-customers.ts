import { SingleBar } from 'cli-progress';
import { parse } from 'csv-parse';
import { and, inArray, sql } from 'drizzle-orm';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as v from 'valibot';
import type { Tx } from '../db/client.ts';
import { customers } from '../db/schema/index.ts';
import { onboardCustomerInput, type OnboardCustomerInput } from '../src/customers/contract.ts';
import { onboardCustomer } from '../src/customers/onboard.ts';
import type { Ctx } from '../src/kernel/context.ts';
import { DomainError } from '../src/kernel/errors.ts';
import { describeIssues, UsageError } from './cli-support.ts';

/** The file formats an import reads. */
export const importFormats = ['csv', 'jsonl'] as const;
export type ImportFormat = (typeof importFormats)[number];

export interface ImportOptions {
  file: string;
  format?: ImportFormat | undefined;
  report?: string | undefined;
  /** Rows onboarded per transaction. */
  batchSize: number;
  /** Show the progress bar (on stderr); the caller turns it off when stderr is not a terminal. */
  progress: boolean;
}

export interface ImportSummary {
  imported: number;
  skipped: number;
  rejected: number;
  seconds: number;
}

/** One row of the file: its line number and what it held, not yet validated. */
interface SourceRow {
  line: number;
  value: unknown;
  /** Bytes of the file read so far (for the progress bar). */
  bytes: number;
}

/** The format from `--format`, else from the extension (.csv; .jsonl, .ndjson). */
export function formatOf(file: string, format?: string): ImportFormat {
  if (format !== undefined) {
    if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl, not ${format}`);
    return format;
  }
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  throw new UsageError(`cannot tell the format of ${file} from its extension: pass --format csv or --format jsonl`);
}

/** CSV rows as objects keyed by the header, streamed: csv-parse reads the file chunk by chunk. */
async function* csvRows(file: string): AsyncGenerator<SourceRow> {
  const parser = createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true, trim: true, bom: true, info: true, relax_column_count: true }));
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; bytes: number } }>) {
    yield { line: info.lines, value: shapeCsvRecord(record), bytes: info.bytes };
  }
}

/**
 * CSV cells are text: empty cells are left out (optional fields), `tax_rate_bps` becomes a
 * number and `metadata` is read as JSON when it parses, so the API's schema judges the values.
 */
export function shapeCsvRecord(record: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, cell] of Object.entries(record)) {
    if (cell === '' || cell === undefined) continue;
    if (key === 'tax_rate_bps' && /^-?\d+(\.\d+)?$/.test(cell)) out[key] = Number(cell);
    else if (key === 'metadata') out[key] = parseJsonOr(cell);
    else out[key] = cell;
  }
  return out;
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** JSON Lines, one object a line, read line by line. A line that is not JSON becomes a rejected row. */
async function* jsonlRows(file: string): AsyncGenerator<SourceRow> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  let bytes = 0;
  for await (const text of lines) {
    line++;
    bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = new InvalidJson();
    }
    yield { line, value, bytes };
  }
}

class InvalidJson {}

/** A rejected row as written to the report: its line and why. */
interface Rejection {
  line: number;
  errors: { field: string; message: string }[];
  row?: unknown;
}

/**
 * Imports customers from a CSV or JSON Lines file through `onboardCustomer`, the API's verb
 * (events and audit included). Streaming: only one batch of rows is held at a time.
 *
 * Idempotent by email: a live customer's email is unique, so a row whose email a customer
 * already has is skipped. A re-run (after a crash, a kill, or a fixed file) therefore imports
 * only what is missing, and the same row is never onboarded twice. Rows are onboarded in
 * batches, one transaction each: a kill loses at most the batch in flight, which the next run
 * imports.
 */
export async function importCustomers(ctx: Ctx, options: ImportOptions): Promise<ImportSummary> {
  const { file } = options;
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const format = formatOf(file, options.format);
  const reportPath = options.report ?? `${file}.rejected.jsonl`;
  const report = createWriteStream(reportPath, { flags: 'w' });
  const summary = { imported: 0, skipped: 0, rejected: 0 };
  const started = performance.now();
  const totalBytes = statSync(file).size;
  const bar = options.progress
    ? new SingleBar({ stream: process.stderr, format: 'importing {bar} {percentage}% | {rows} rows | imported {imported}, skipped {skipped}, rejected {rejected}', hideCursor: true })
    : undefined;
  bar?.start(totalBytes, 0, { rows: 0, ...summary });

  const reject = (rejection: Rejection) => {
    summary.rejected++;
    report.write(`${JSON.stringify(rejection)}\n`);
  };

  let batch: { line: number; input: OnboardCustomerInput }[] = [];
  let rows = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const outcome = await onboardBatch(ctx, batch);
    summary.imported += outcome.imported;
    summary.skipped += outcome.skipped;
    for (const r of outcome.rejected) reject(r);
    batch = [];
  };

  const source = format === 'csv' ? csvRows(file) : jsonlRows(file);
  try {
    for await (const row of source) {
      rows++;
      if (row.value instanceof InvalidJson) {
        reject({ line: row.line, errors: [{ field: '(row)', message: 'is not valid JSON' }] });
      } else {
        const parsed = v.safeParse(onboardCustomerInput, row.value);
        if (parsed.success) batch.push({ line: row.line, input: parsed.output });
        else reject({ line: row.line, errors: describeIssues(parsed.issues), row: row.value });
      }
      if (batch.length >= options.batchSize) await flush();
      if (rows % 200 === 0) bar?.update(row.bytes, { rows, ...summary });
    }
    await flush();
  } catch (error) {
    if (error instanceof Error && /CsvError|CSV_/.test(`${error.name} ${(error as { code?: string }).code ?? ''}`)) {
      throw new UsageError(`${file} is not valid CSV: ${error.message}`);
    }
    throw error;
  } finally {
    bar?.update(totalBytes, { rows, ...summary });
    bar?.stop();
    await new Promise<void>((resolve) => report.end(resolve));
  }
  return { ...summary, seconds: (performance.now() - started) / 1000 };
}

// Written as the literal the partial index `customers_email_live` is declared with, so SQLite uses it.
const liveCustomer = sql`${customers.status} <> 'erased'`;

/**
 * Onboards a batch in one transaction, skipping rows whose email a live customer has (or an
 * earlier row of the batch). If the transaction fails, the rows are tried one by one, each in
 * its own transaction, so one bad row rejects itself and not its batch.
 */
async function onboardBatch(ctx: Ctx, batch: { line: number; input: OnboardCustomerInput }[]) {
  const outcome = { imported: 0, skipped: 0, rejected: [] as Rejection[] };
  try {
    await ctx.transactor.write(async (tx) => {
      const taken = await existingEmails(tx, batch.map((r) => r.input.email));
      let imported = 0;
      let skipped = 0;
      for (const row of batch) {
        if (taken.has(row.input.email)) {
          skipped++;
          continue;
        }
        taken.add(row.input.email);
        await onboardCustomer({ ...ctx, tx }, row.input);
        imported++;
      }
      outcome.imported = imported;
      outcome.skipped = skipped;
    });
    return outcome;
  } catch {
    outcome.imported = 0;
    outcome.skipped = 0;
  }
  for (const row of batch) {
    try {
      await onboardCustomer(ctx, row.input);
      outcome.imported++;
    } catch (error) {
      // A domain refusal rejects its row; anything else (the database gone) fails the import.
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'conflict' && error.details.field === 'email') outcome.skipped++;
      else outcome.rejected.push({ line: row.line, errors: [{ field: String(error.details.field ?? '(row)'), message: error.message }] });
    }
  }
  return outcome;
}

async function existingEmails(tx: Tx, emails: string[]): Promise<Set<string>> {
  const rows = await tx.select({ email: customers.email }).from(customers).where(and(inArray(customers.email, emails), liveCustomer));
  return new Set(rows.map((r) => r.email!));
}
