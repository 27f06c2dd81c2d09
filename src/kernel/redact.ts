/** What erased personal data is replaced with inside free text. */
export const ERASED = '[erased]';

const PERSONAL_KEYS = new Set(['name', 'email', 'phone', 'recipient']);

/**
 * Removes personal data from a JSON value: fields named name, email, phone or
 * recipient become null, and every occurrence of the given values (a person's
 * addresses) inside any text — error messages quote them — becomes `[erased]`.
 */
export function redactPersonal(value: unknown, needles: readonly string[]): unknown {
  if (typeof value === 'string') return needles.reduce((text, needle) => text.replaceAll(needle, ERASED), value);
  if (Array.isArray(value)) return value.map((item) => redactPersonal(item, needles));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, PERSONAL_KEYS.has(key) && typeof item === 'string' ? null : redactPersonal(item, needles)]),
    );
  }
  return value;
}

/** Like `redactPersonal` for a stored JSON text; text that is not JSON is masked as plain text. */
export function redactJsonText(text: string, needles: readonly string[]): string {
  try {
    return JSON.stringify(redactPersonal(JSON.parse(text), needles));
  } catch {
    return redactPersonal(text, needles) as string;
  }
}
