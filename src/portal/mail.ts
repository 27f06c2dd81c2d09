import type { TxCtx } from '../kernel/context.ts';
import { queueNotification } from '../notifications/queue.ts';
import { renderAccountEmail, type AccountEmail } from '../notifications/templates.ts';
import { createOneTimeToken, type TokenPurpose } from './one-time-tokens.ts';

const PURPOSE: Record<AccountEmail, TokenPurpose> = { password_reset: 'password_reset', email_verification: 'email_verification', invitation: 'invitation' };

/** "1 hour", "3 days": how long a token works, for the email's text. */
export function spellDuration(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours >= 24 && Number.isInteger(hours / 24)) return `${hours / 24} day${hours === 24 ? '' : 's'}`;
  if (hours >= 1 && Number.isInteger(hours)) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const minutes = Math.round(ms / 60_000);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export interface AccountEmailRequest {
  kind: AccountEmail;
  /** The event this email answers (one email per event: a redelivered event cannot send twice). */
  eventId: string;
  user: { id: string; customerId: string; email: string; name: string | null };
  company?: string | null;
  ttlMs: number;
}

/**
 * Makes the email's one-time token and queues the email as a pending notification in the
 * caller's transaction (`queueNotification`); the notifications worker's dispatcher sends it like any other. The
 * token text lives only in that message: no event, no log line carries it.
 */
export async function queueAccountEmail(ctx: TxCtx, request: AccountEmailRequest): Promise<void> {
  const token = await createOneTimeToken(ctx, PURPOSE[request.kind], request.user.id, request.ttlMs);
  const message = renderAccountEmail(request.kind, { name: request.user.name, company: request.company ?? null }, token, spellDuration(request.ttlMs));
  await queueNotification(ctx, { eventId: request.eventId, customerId: request.user.customerId, to: { email: request.user.email }, message });
}
