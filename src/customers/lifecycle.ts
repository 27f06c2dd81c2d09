import type { customerKinds, customerStatuses } from '../../db/schema/index.ts';
import { customerSegments } from '../../db/schema/index.ts';

/**
 * The customer lifecycle as plain data and functions:
 *
 *   onboarded ──activate──► active ──deactivate──► deactivated ──activate──► active
 *   active ──promote──► active (segment one step up)
 *   any ──erase──► erased (final)
 *
 * Anything else, including a move to the current state, is an invalid transition.
 */
export type CustomerStatus = (typeof customerStatuses)[number];
export type Segment = (typeof customerSegments)[number];
export type CustomerKind = (typeof customerKinds)[number];

export type Transition = 'activate' | 'deactivate' | 'promote' | 'erase';

const allowed: Record<Transition, readonly CustomerStatus[]> = {
  activate: ['onboarded', 'deactivated'],
  deactivate: ['active'],
  promote: ['active'],
  erase: ['onboarded', 'active', 'deactivated'],
};

const target: Record<Transition, (from: CustomerStatus) => CustomerStatus> = {
  activate: () => 'active',
  deactivate: () => 'deactivated',
  promote: (from) => from,
  erase: () => 'erased',
};

/** The state after `transition`, or null when it is not allowed from `from`. */
export function nextStatus(from: CustomerStatus, transition: Transition): CustomerStatus | null {
  return allowed[transition].includes(from) ? target[transition](from) : null;
}

/** The segment one step up, or null at the top. */
export function nextSegment(segment: Segment): Segment | null {
  return customerSegments[customerSegments.indexOf(segment) + 1] ?? null;
}

/** Compares segments by rank: negative when a is lower. */
export const compareSegments = (a: Segment, b: Segment) => customerSegments.indexOf(a) - customerSegments.indexOf(b);
