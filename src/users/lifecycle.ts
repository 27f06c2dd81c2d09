import type { userStatuses } from '../../db/schema/index.ts';

/**
 * A user's status as plain data and functions:
 *
 *   invited ──activate──► active ──deactivate──► deactivated ──activate──► active
 *   any but removed ──remove──► removed (final)
 *
 * Anything else, including a move to the current state, is an invalid transition,
 * as for customers (src/customers/lifecycle.ts).
 */
export type UserStatus = (typeof userStatuses)[number];

export type UserTransition = 'activate' | 'deactivate';

const allowed: Record<UserTransition, readonly UserStatus[]> = {
  activate: ['invited', 'deactivated'],
  deactivate: ['active'],
};

const target: Record<UserTransition, UserStatus> = { activate: 'active', deactivate: 'deactivated' };

/** The status after `transition`, or null when it is not allowed from `from`. */
export function nextUserStatus(from: UserStatus, transition: UserTransition): UserStatus | null {
  return allowed[transition].includes(from) ? target[transition] : null;
}

/**
 * Whether a user holds up the rule that a customer keeps one owner: only an active
 * owner does (an invited owner never accepted; a deactivated one cannot act).
 */
export const isActiveOwner = (user: { role: string; status: UserStatus }) => user.role === 'owner' && user.status === 'active';
