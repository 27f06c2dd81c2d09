import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { plans, planVersions } from '../../db/schema/index.ts';
import { DomainError, notFound } from '../kernel/errors.ts';
import type { PlanRow, PlanVersionRow } from './present.ts';

/** Reads a plan or fails with not_found. */
export async function loadPlan(db: Executor, id: string): Promise<PlanRow> {
  const [row] = await db.select().from(plans).where(eq(plans.id, id));
  if (!row) throw notFound('Plan', id);
  return row;
}

/** Reads one version of a plan or fails with not_found. */
export async function loadPlanVersion(db: Executor, planId: string, version: number): Promise<PlanVersionRow> {
  const [row] = await db.select().from(planVersions).where(and(eq(planVersions.planId, planId), eq(planVersions.version, version)));
  if (!row) throw new DomainError('not_found', `plan ${planId} has no version ${version}`, { resource: 'plan_version', id: planId, version });
  return row;
}

/** True when a SQLite error is the unique index on plan codes. */
export const isDuplicateCode = (error: unknown) => String((error as { cause?: unknown })?.cause ?? error).includes('plans.code');
