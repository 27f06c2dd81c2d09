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
