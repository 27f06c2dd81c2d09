import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import journal from './migrations/meta/_journal.json' with { type: 'json' };

/**
 * How many migrations the database has recorded against how many this build
 * ships. Free of file-system access, so the HTTP app can use it on any runtime.
 */
export async function migrationStatus(db: Db): Promise<{ applied: number; expected: number }> {
  const rows = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM __drizzle_migrations`);
  return { applied: rows[0]?.n ?? 0, expected: journal.entries.length };
}
