import type { TokenSettings } from '../auth/tokens.ts';
import { chargeLoginAttempt, forgiveLoginAttempt } from '../auth/login-throttle.ts';
import { toIso } from '../kernel/clock.ts';
import type { Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { hashPassword, verifyPassword } from '../kernel/password.ts';
import type { PortalLoginResponse } from './contract.ts';
import { signInUserByEmail } from './sessions.ts';
import { issueUserToken } from './tokens.ts';

// Compared against when the email is unknown, so a miss costs as long as a hit.
let decoy: Promise<string> | undefined;

/**
 * Checks a portal user's email and password and issues a portal token. The same answer
 * for a wrong email or password, an inactive user or an erased customer. Failed attempts
 * are limited per email and client address by the operators' throttle (`rate_limited`).
 */
export async function loginUser(ctx: Ctx, tokens: TokenSettings, input: { email: string; password: string; address?: string | undefined }): Promise<PortalLoginResponse> {
  // The email's counter is the portal's own (an operator may use the same address); the client address's is shared with operators' logins.
  const attempt = await chargeLoginAttempt(ctx, ctx.settings.login, { email: `portal:${input.email}`, ...(input.address ? { address: input.address } : {}) });
  const row = await signInUserByEmail(ctx.db, input.email);
  decoy ??= hashPassword('decoy-password-for-timing', ctx.settings.passwords.iterations);
  const ok = await verifyPassword(input.password, row?.user.passwordHash ?? (await decoy));
  if (!row || !ok || row.user.status !== 'active' || row.customerStatus === 'erased') throw new DomainError('unauthorized', 'email or password is wrong');
  await forgiveLoginAttempt(ctx, attempt);
  const { user } = row;
  const { token, expiresAt } = await issueUserToken(tokens, { id: user.id, customerId: user.customerId, tokenVersion: user.tokenVersion }, ctx.clock.now());
  return { token, token_type: 'Bearer', expires_at: toIso(expiresAt), user: { id: user.id, customer_id: user.customerId, email: user.email!, name: user.name, role: user.role } };
}
