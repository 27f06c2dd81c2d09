import { dictionary } from '@zxcvbn-ts/language-common';
import { validationError } from '../kernel/errors.ts';

// A local part this short ("jo@…") would forbid too many good passwords to be worth refusing.
const MIN_LOCAL_PART = 4;

let common: Set<string> | undefined;

/** True for a password on zxcvbn's list of the most common passwords, compared case-insensitively. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}

/**
 * Why an operator may not use this password with this email, or null when it is
 * acceptable: not the email, not containing it or its local part, not a common
 * password. Length is checked by the input schemas. Pure, so config and verbs share it.
 */
export function passwordWeakness(password: string, email: string): string | null {
  const lower = password.toLowerCase();
  const address = email.trim().toLowerCase();
  const local = address.split('@')[0] ?? '';
  if (lower.includes(address)) return 'must not be or contain the email address';
  if (local.length >= MIN_LOCAL_PART && lower.includes(local)) return 'must not contain the part of the email address before @';
  if (isCommonPassword(password)) return 'is one of the most common passwords; choose one that is harder to guess';
  return null;
}

/** Refuses a password that is, or contains, the operator's email, or is a common password (400 naming `password`). */
export function checkPassword(password: string, email: string): void {
  const weakness = passwordWeakness(password, email);
  if (weakness) throw validationError([{ field: 'password', message: weakness }]);
}
