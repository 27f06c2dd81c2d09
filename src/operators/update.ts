import { and, count, eq, isNull, ne } from 'drizzle-orm';
import { operators } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { conflict, notFound } from '../kernel/errors.ts';
import { hashPassword } from '../kernel/password.ts';
import type { UpdateOperatorInput } from './contract.ts';
import { checkPassword } from './password-policy.ts';
import { toOperatorResource } from './present.ts';

async function otherActiveAdmins(ctx: TxCtx, id: string): Promise<number> {
  const [row] = await ctx.tx
    .select({ n: count() })
    .from(operators)
    .where(and(eq(operators.role, 'admin'), isNull(operators.disabledAt), ne(operators.id, id)));
  return row?.n ?? 0;
}

/** A change with its new password (if any) checked and hashed, before any transaction. */
export type PreparedOperatorPatch = UpdateOperatorInput & { passwordHash: string | undefined };

/**
 * Checks and hashes a new password (slow on purpose). Call it before opening the command's
 * transaction: hashing inside it would hold every other write.
 */
export async function prepareOperatorPatch(ctx: Ctx, id: string, patch: UpdateOperatorInput): Promise<PreparedOperatorPatch> {
  if (!patch.password) return { ...patch, passwordHash: undefined };
  // The email never changes through this verb, so reading it before the transaction is safe.
  const [target] = await (ctx.tx ?? ctx.db).select({ email: operators.email }).from(operators).where(eq(operators.id, id));
  if (!target) throw notFound('Operator', id);
  checkPassword(patch.password, target.email);
  return { ...patch, passwordHash: await hashPassword(patch.password, ctx.settings.passwords.iterations) };
}

/**
 * Changes an operator; the last active admin can neither be demoted nor disabled.
 * A new password, another role, or disabling ends every token issued before (token version).
 */
export async function updateOperator(ctx: Ctx, id: string, patch: UpdateOperatorInput | PreparedOperatorPatch) {
  const { passwordHash } = 'passwordHash' in patch ? patch : await prepareOperatorPatch(ctx, id, patch);
  return withTransaction(ctx, async (ctx) => {
    const [current] = await ctx.tx.select().from(operators).where(eq(operators.id, id));
    if (!current) throw notFound('Operator', id);
    const losesAdmin = current.role === 'admin' && current.disabledAt === null && ((patch.role && patch.role !== 'admin') || patch.disabled === true);
    if (losesAdmin && (await otherActiveAdmins(ctx, id)) === 0) throw conflict('the platform must keep one active admin');
    const now = ctx.clock.now();
    const endsTokens = passwordHash !== undefined || (patch.role !== undefined && patch.role !== current.role) || (patch.disabled === true && current.disabledAt === null);
    const [row] = await ctx.tx
      .update(operators)
      .set({
        ...(patch.name ? { name: patch.name } : {}),
        ...(patch.role ? { role: patch.role } : {}),
        ...(passwordHash ? { passwordHash } : {}),
        ...(patch.disabled === undefined ? {} : { disabledAt: patch.disabled ? (current.disabledAt ?? now) : null }),
        ...(endsTokens ? { tokenVersion: current.tokenVersion + 1 } : {}),
        updatedAt: now,
      })
      .where(eq(operators.id, id))
      .returning();
    const changed = Object.keys(patch);
    await recordAudit(ctx, { action: 'operator.update', targetType: 'operator', targetId: id, data: { changed } });
    return toOperatorResource(row!);
  });
}
