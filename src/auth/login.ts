import { eq } from 'drizzle-orm';
import { operators } from '../../db/schema/index.ts';
import type { Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { toIso } from '../kernel/clock.ts';
import { chargeLoginAttempt, forgiveLoginAttempt, type LoginLimits } from './login-throttle.ts';
import { hashPassword, verifyPassword } from '../kernel/password.ts';
import { issueToken, type TokenSettings } from './tokens.ts';

// Compared against when the email is unknown, so a miss costs as long as a hit.
let decoy: Promise<string> | undefined;

/** What a login needs: the credentials and, when known, the client's address (for the failure limit). */
export interface LoginInput {
  email: string;
  password: string;
  address?: string;
}

/**
 * Checks an operator's email and password and issues a token. Same answer for a
 * wrong email or password. Failed attempts are limited per email and per client
 * address (`rate_limited`); a success clears the email's failures.
 */
export async function login(ctx: Ctx, settings: { tokens: TokenSettings; limits: LoginLimits }, input: LoginInput) {
  const attempt = await chargeLoginAttempt(ctx, settings.limits, input);
  const [operator] = await ctx.db.select().from(operators).where(eq(operators.email, input.email));
  decoy ??= hashPassword('decoy-password-for-timing', ctx.settings.passwords.iterations);
  const ok = await verifyPassword(input.password, operator?.passwordHash ?? (await decoy));
  if (!operator || !ok || operator.disabledAt !== null) throw new DomainError('unauthorized', 'email or password is wrong');
  await forgiveLoginAttempt(ctx, attempt);
  const { token, expiresAt } = await issueToken(settings.tokens, operator, ctx.clock.now());
  return {
    token,
    token_type: 'Bearer' as const,
    expires_at: toIso(expiresAt),
    operator: { id: operator.id, email: operator.email, name: operator.name, role: operator.role },
  };
}
