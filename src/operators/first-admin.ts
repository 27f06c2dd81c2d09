import { count } from 'drizzle-orm';
import { operators } from '../../db/schema/index.ts';
import { generatePassword } from '../kernel/password.ts';
import { systemActor } from '../kernel/context.ts';
import type { Deps } from '../deps.ts';
import { createOperator } from './create.ts';
import { DomainError } from '../kernel/errors.ts';

/**
 * Creates the first admin when there is no operator yet: from ADMIN_EMAIL and
 * ADMIN_PASSWORD, or with a generated password that is returned (to print once).
 */
export async function ensureFirstAdmin(deps: Deps): Promise<{ email: string; password: string | null } | null> {
  const [row] = await deps.db.select({ n: count() }).from(operators);
  if ((row?.n ?? 0) > 0) return null;
  const email = deps.config.admin.email ?? 'admin@localhost.localdomain';
  const generated = deps.config.admin.password ? null : generatePassword();
  try {
    await createOperator(
    { db: deps.db, transactor: deps.transactor, clock: deps.clock, logger: deps.logger, eventSource: deps.eventSource, actor: systemActor('bootstrap') },
      { email, name: 'Administrator', role: 'admin', password: deps.config.admin.password ?? generated! },
    );
  } catch (error) {
    // Another process starting at the same moment created it first.
    if (error instanceof DomainError && error.code === 'conflict') return null;
    throw error;
  }
  return { email, password: generated };
}
