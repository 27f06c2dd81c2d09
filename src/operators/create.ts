import { eq } from 'drizzle-orm';
import { operators } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { hashPassword } from '../kernel/password.ts';
import type { CreateOperatorInput } from './contract.ts';
import { checkPassword } from './password-policy.ts';
import { toOperatorResource } from './present.ts';

/** A new operator with its password checked and hashed: the slow part, done before any transaction. */
export type PreparedOperator = CreateOperatorInput & { passwordHash: string };

/**
 * Checks the password against the policy and hashes it (slow on purpose). Call it before
 * opening the command's transaction: hashing inside it would hold every other write.
 */
export async function prepareOperator(ctx: Ctx, input: CreateOperatorInput): Promise<PreparedOperator> {
  checkPassword(input.password, input.email);
  return { ...input, passwordHash: await hashPassword(input.password, ctx.settings.passwords.iterations) };
}

/** Creates an operator from its prepared input (or prepares it first when given a plain one). */
export async function createOperator(ctx: Ctx, input: CreateOperatorInput | PreparedOperator) {
  const { passwordHash } = 'passwordHash' in input ? input : await prepareOperator(ctx, input);
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
