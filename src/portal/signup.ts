import { and, eq, isNotNull, ne } from 'drizzle-orm';
import { portalSignups, users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { assertEmailFree } from '../customers/load.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { conflict } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { hashPassword } from '../kernel/password.ts';
import { checkPassword } from '../operators/password-policy.ts';
import type { SignupInput, SignupResource } from './contract.ts';

/** A sign-up with its password checked and hashed: the slow part, done before any transaction. */
export type PreparedSignup = Omit<SignupInput, 'password'> & { passwordHash: string };

/** Checks the password against the operators' policy and hashes it; call before the command's transaction. */
export async function prepareSignup(ctx: Ctx, input: SignupInput): Promise<PreparedSignup> {
  checkPassword(input.password, input.email);
  const { password, ...rest } = input;
  return { ...rest, passwordHash: await hashPassword(password, ctx.settings.passwords.iterations) };
}

const taken = (email: string) => conflict(`${email} already has an account or a sign-up in progress; log in or reset the password`, { field: 'email' });

/**
 * Refuses (409 naming `email`) an address that a user who can sign in, a sign-up in
 * progress or a live customer already uses: the customer is onboarded with that address.
 */
export async function assertSignupEmailFree(ctx: TxCtx, email: string): Promise<void> {
  const [user] = await ctx.tx.select({ id: users.id }).from(users).where(and(eq(users.email, email), isNotNull(users.passwordHash), ne(users.status, 'removed')));
  const [pending] = await ctx.tx.select({ id: portalSignups.id }).from(portalSignups).where(and(eq(portalSignups.email, email), eq(portalSignups.state, 'pending')));
  if (user || pending) throw taken(email);
  await assertEmailFree(ctx.tx, email).catch(() => {
    throw taken(email);
  });
}

/** What a sign-up looks like to its maker. */
export function toSignupResource(row: typeof portalSignups.$inferSelect): SignupResource {
  const message = {
    pending: 'Your account is being set up; poll GET /v1/portal/signups/{id} until it is ready, then log in.',
    ready: 'Your account is ready: log in with POST /v1/portal/login.',
    refused: 'Your account could not be set up.',
  }[row.state].replace('{id}', row.id);
  return {
    id: row.id,
    object: 'signup',
    state: row.state,
    reason: row.reason,
    customer_id: row.customerId,
    user_id: row.userId,
    ready: row.state === 'ready',
    message,
    created_at: toIso(row.createdAt),
  };
}

/**
 * Records a pending sign-up and its `user.signed_up` event in one transaction; the
 * portal-signups worker onboards the customer from the event. The password hash stays
 * in the sign-up row, never in the event.
 */
export function signUp(ctx: Ctx, input: PreparedSignup) {
  return withTransaction(ctx, async (ctx) => {
    await assertSignupEmailFree(ctx, input.email);
    const now = ctx.clock.now();
    const [row] = await ctx.tx
      .insert(portalSignups)
      .values({
        id: newId('sgn', now),
        companyName: input.company_name,
        kind: input.kind,
        country: input.country,
        name: input.name,
        email: input.email,
        passwordHash: input.passwordHash,
        state: 'pending',
        reason: null,
        customerId: null,
        userId: null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await emit(ctx, [
      {
        type: 'user.signed_up',
        subject: row!.id,
        data: { signup_id: row!.id, company: { name: input.company_name, kind: input.kind, country: input.country }, user: { name: input.name, email: input.email } },
      },
    ]);
    await recordAudit(ctx, { action: 'portal.signup', targetType: 'signup', targetId: row!.id });
    return toSignupResource(row!);
  });
}
