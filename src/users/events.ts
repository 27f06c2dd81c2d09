import * as v from 'valibot';
import { userRoles, userStatuses } from '../../db/schema/index.ts';
import { personal } from '../events/shapes.ts';

const userSnapshot = v.object({
  id: v.string(),
  customer_id: v.string(),
  email: personal,
  name: personal,
  role: v.picklist(userRoles),
  status: v.picklist(userStatuses),
});

/** A customer's users: added, changed, removed; subject: the customer. */
export const userEvents = {
  'user.invited': v.object({ user: userSnapshot }),
  'user.created': v.object({ user: userSnapshot }),
  'user.role_changed': v.object({ user: userSnapshot, from: v.string(), to: v.string() }),
  'user.removed': v.object({ user: userSnapshot }),
  /** An invited user accepted, or a deactivated one came back. */
  'user.activated': v.object({ user: userSnapshot, previous_status: v.picklist(userStatuses) }),
  'user.deactivated': v.object({ user: userSnapshot, previous_status: v.picklist(userStatuses) }),
} as const;
