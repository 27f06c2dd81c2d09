import { and, count, eq, isNull, ne, type InferSelectModel } from 'drizzle-orm';
import { operators } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { hashPassword } from '../auth/password.ts';
import { passwordWeakness } from '../auth/password-policy.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { conflict, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { CreateOperatorInput, UpdateOperatorInput } from './schema.ts';

type OperatorRow = InferSelectModel<typeof operators>;

/** The API shape of an operator; never the password hash. */
export function toOperatorResource(row: OperatorRow) {
  return {
    id: row.id,
    object: 'operator' as const,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabledAt !== null,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

/** Refuses a password that is, or contains, the operator's email, or is a common password (400 naming `password`). */
function checkPassword(password: string, email: string): void {
  const weakness = passwordWeakness(password, email);
  if (weakness) throw validationError([{ field: 'password', message: weakness }]);
}

/** Creates an operator. The password is hashed before the transaction (it is slow on purpose). */
export async function createOperator(ctx: Ctx, input: CreateOperatorInput) {
  checkPassword(input.password, input.email);
  const passwordHash = await hashPassword(input.password);
  return withTransaction(ctx, async (ctx) => {
    const [taken] = await ctx.tx.select({ id: operators.id }).from(operators).where(eq(operators.email, input.email));
    if (taken) throw conflict(`an operator with ${input.email} exists`, { field: 'email', existing_id: taken.id });
    const now = ctx.clock.now();
    const [row] = await ctx.tx
      .insert(operators)
      .values({ id: newId('op', now), email: input.email, name: input.name, role: input.role, passwordHash, createdAt: now, updatedAt: now })
      .returning();
    await recordAudit(ctx, { action: 'operator.create', targetType: 'operator', targetId: row!.id, data: { role: input.role } });
    return toOperatorResource(row!);
  });
}

async function otherActiveAdmins(ctx: TxCtx, id: string): Promise<number> {
  const [row] = await ctx.tx
    .select({ n: count() })
    .from(operators)
    .where(and(eq(operators.role, 'admin'), isNull(operators.disabledAt), ne(operators.id, id)));
  return row?.n ?? 0;
}

/**
 * Changes an operator; the last active admin can neither be demoted nor disabled.
 * A new password, another role, or disabling ends every token issued before (token version).
 */
export async function updateOperator(ctx: Ctx, id: string, patch: UpdateOperatorInput) {
  let passwordHash: string | undefined;
  if (patch.password) {
    // The email never changes through this verb, so reading it before the transaction is safe.
    const [target] = await (ctx.tx ?? ctx.db).select({ email: operators.email }).from(operators).where(eq(operators.id, id));
    if (!target) throw notFound('Operator', id);
    checkPassword(patch.password, target.email);
    passwordHash = await hashPassword(patch.password);
  }
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
