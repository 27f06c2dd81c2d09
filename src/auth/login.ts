import { eq } from 'drizzle-orm';
import { operators } from '../../db/schema/index.ts';
import type { Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { toIso } from '../kernel/clock.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { issueToken, type TokenSettings } from './tokens.ts';

// Compared against when the email is unknown, so a miss costs as long as a hit.
let decoy: Promise<string> | undefined;

/** Checks an operator's email and password and issues a token. Same answer for a wrong email or password. */
export async function login(ctx: Ctx, settings: TokenSettings, email: string, password: string) {
  const [operator] = await ctx.db.select().from(operators).where(eq(operators.email, email));
  decoy ??= hashPassword('decoy-password-for-timing');
  const ok = await verifyPassword(password, operator?.passwordHash ?? (await decoy));
  if (!operator || !ok || operator.disabledAt !== null) throw new DomainError('unauthorized', 'email or password is wrong');
  const { token, expiresAt } = await issueToken(settings, operator, ctx.clock.now());
  return {
    token,
    token_type: 'Bearer' as const,
    expires_at: toIso(expiresAt),
    operator: { id: operator.id, email: operator.email, name: operator.name, role: operator.role },
  };
}
