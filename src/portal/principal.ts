import type { Actor } from '../kernel/context.ts';
import { apiKeyScopes } from '../../db/schema/index.ts';
import type { UserSession } from './sessions.ts';

/** What a customer's user may do through the API, by its role: owners and admins all a key could, members read. */
const scopesByRole: Record<UserSession['role'], readonly string[]> = {
  owner: apiKeyScopes,
  admin: apiKeyScopes,
  member: apiKeyScopes.filter((scope) => scope.endsWith(':read')),
};

/** What a customer's user of this role may do through the API now (also the most its API keys may do). */
export const scopesOfUserRole = (role: UserSession['role']): readonly string[] => scopesByRole[role];

/** The principal of a signed-in customer user: its customer is its tenant, its role gives its scopes. */
export const userActor = (session: UserSession): Actor => ({
  id: session.userId,
  kind: 'user',
  role: 'none',
  customerId: session.customerId,
  scopes: scopesByRole[session.role],
});
