import { count } from 'drizzle-orm';
import { operators } from '../../db/schema/index.ts';
import { generatePassword } from '../kernel/password.ts';
import type { Ctx } from '../kernel/context.ts';
import { createOperator } from './create.ts';
import { DomainError } from '../kernel/errors.ts';

/**
 * Creates the first admin when there is no operator yet: from ADMIN_EMAIL and
 * ADMIN_PASSWORD (`admin`), or with a generated password that is returned (to print once).
 */
export async function ensureFirstAdmin(ctx: Ctx, admin: { email?: string | undefined; password?: string | undefined }): Promise<{ email: string; password: string | null } | null> {
  const [row] = await ctx.db.select({ n: count() }).from(operators);
  if ((row?.n ?? 0) > 0) return null;
  const email = admin.email ?? 'admin@localhost.localdomain';
  const generated = admin.password ? null : generatePassword();
  try {
    await createOperator(ctx, { email, name: 'Administrator', role: 'admin', password: admin.password ?? generated! });
  } catch (error) {
    // Another process starting at the same moment created it first.
    if (error instanceof DomainError && error.code === 'conflict') return null;
    throw error;
  }
  return { email, password: generated };
}
