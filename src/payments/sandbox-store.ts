import { and, asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { sandboxPaymentOperations } from '../../db/schema/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Transactor } from '../kernel/transactor.ts';
import type { ChargeResult, RefundResult } from './provider.ts';
import type { SandboxStore } from './sandbox.ts';

type Operation = typeof sandboxPaymentOperations.$inferSelect;
type Kind = Operation['kind'];

const chargeResultOf = (row: Operation): ChargeResult =>
  row.outcome === 'succeeded' ? { status: 'succeeded', reference: row.reference! } : { status: 'declined', code: row.declineCode!, message: row.declineMessage! };

const refundResultOf = (row: Operation): RefundResult => (row.outcome === 'refunded' ? { status: 'refunded', reference: row.reference! } : { status: 'no_charge' });

async function operation(db: Db | Tx, kind: Kind, key: string): Promise<Operation | null> {
  const [row] = await db
    .select()
    .from(sandboxPaymentOperations)
    .where(and(eq(sandboxPaymentOperations.kind, kind), eq(sandboxPaymentOperations.idempotencyKey, key)));
  return row ?? null;
}

/**
 * The sandbox provider's answers in the database (`sandbox_payment_operations`), as a
 * processor keeps its own: after a restart a key returns its first answer and new
 * references continue from the table's sequence instead of starting again at 1. Each
 * operation is one write transaction (check, then insert), so two processes on one database
 * never answer one key twice. Called outside any transaction, as the payment port is.
 */
export function databaseSandboxStore(deps: { db: Db; transactor: Transactor; clock: Clock }): SandboxStore {
  const { db, transactor, clock } = deps;

  /** Inserts an operation under its key unless the key has one, then names its reference from its sequence. */
  const record = (kind: Kind, key: string, values: Omit<typeof sandboxPaymentOperations.$inferInsert, 'kind' | 'idempotencyKey' | 'createdAt'>, prefix?: string) =>
    transactor.write(async (tx) => {
      const known = await operation(tx, kind, key);
      if (known) return known;
      const [row] = await tx.insert(sandboxPaymentOperations).values({ kind, idempotencyKey: key, createdAt: clock.now(), ...values }).returning();
      if (!prefix) return row!;
      const [named] = await tx.update(sandboxPaymentOperations).set({ reference: `${prefix}${row!.seq}` }).where(eq(sandboxPaymentOperations.seq, row!.seq)).returning();
      return named!;
    });

  return {
    async chargeOutcome(key) {
      const row = await operation(db, 'charge', key);
      return row ? chargeResultOf(row) : null;
    },
    async take(request) {
      const row = await record('charge', request.idempotencyKey, { outcome: 'succeeded', amount: request.amount, currency: request.currency, description: request.description }, 'sbx_ch_');
      return chargeResultOf(row);
    },
    async decline(request, decline) {
      const row = await record('charge', request.idempotencyKey, { outcome: 'declined', declineCode: decline.code, declineMessage: decline.message, amount: request.amount, currency: request.currency, description: request.description });
      return chargeResultOf(row);
    },
    refund(request) {
      return transactor.write(async (tx) => {
        const known = await operation(tx, 'refund', request.idempotencyKey);
        if (known) return refundResultOf(known);
        const charge = await operation(tx, 'charge', request.chargeKey);
        const refundable = charge !== null && charge.outcome === 'succeeded' && !charge.refunded;
        const [row] = await tx
          .insert(sandboxPaymentOperations)
          .values({ kind: 'refund', idempotencyKey: request.idempotencyKey, outcome: refundable ? 'refunded' : 'no_charge', amount: request.amount, currency: request.currency, description: request.reason, chargeKey: request.chargeKey, createdAt: clock.now() })
          .returning();
        if (!refundable) return refundResultOf(row!);
        await tx.update(sandboxPaymentOperations).set({ refunded: true }).where(eq(sandboxPaymentOperations.seq, charge.seq));
        const [named] = await tx.update(sandboxPaymentOperations).set({ reference: `sbx_re_${row!.seq}` }).where(eq(sandboxPaymentOperations.seq, row!.seq)).returning();
        return refundResultOf(named!);
      });
    },
    async ledger() {
      const rows = await db
        .select()
        .from(sandboxPaymentOperations)
        .where(and(eq(sandboxPaymentOperations.kind, 'charge'), eq(sandboxPaymentOperations.outcome, 'succeeded')))
        .orderBy(asc(sandboxPaymentOperations.seq));
      return rows.map((r) => ({ key: r.idempotencyKey, reference: r.reference!, amount: r.amount, currency: r.currency, description: r.description, refunded: r.refunded }));
    },
  };
}
