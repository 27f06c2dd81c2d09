import * as v from 'valibot';
import isEmailModule from 'validator/lib/isEmail.js';
import { singleLine } from './text.ts';

// A CommonJS module whose types declare an ES default export: Node's and Bun's loaders hand over the function itself.
const isEmail = ((isEmailModule as unknown as { default?: unknown }).default ?? isEmailModule) as unknown as typeof isEmailModule.default;

/**
 * RFC 5321 mailbox rules as validator.js checks them: dot-atom or quoted local part of at
 * most 64 octets, a domain of LDH labels with a TLD, 254 characters in all. Unicode
 * domains pass (IDNA) and are stored as punycode; a Unicode local part (SMTPUTF8) and
 * address literals (`a@[127.0.0.1]`) are not accepted.
 *
 * validator.js rather than valibot's `rfcEmail`: tested on one table, `rfcEmail` accepts
 * `a@b`, a 65-character local part, `a..b@…` and `a@1.2.3.4`, and refuses `user@müller.de`.
 */
const RULES = { allow_display_name: false, allow_utf8_local_part: false, require_tld: true, allow_ip_domain: false, ignore_max_length: false } as const;

/** The address with its domain in IDNA ASCII (punycode) form and lower case; null when the domain is not a valid IDN. */
function toAsciiAddress(address: string): string | null {
  const at = address.lastIndexOf('@');
  try {
    // WHATWG URL applies UTS #46 (IDNA) on every runtime; it refuses what cannot be a host name.
    const domain = new URL(`http://${address.slice(at + 1)}`).hostname;
    return `${address.slice(0, at)}@${domain}`.toLowerCase();
  } catch {
    return null;
  }
}

const MESSAGE = 'must be an email address';

/** An email address for customers, users, operators and the first admin: the one definition. */
export const email = v.pipe(
  v.string(),
  singleLine,
  v.trim(),
  v.check((address) => isEmail(address, RULES), MESSAGE),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const ascii = toAsciiAddress(dataset.value);
    if (ascii === null) {
      addIssue({ message: MESSAGE });
      return NEVER;
    }
    return ascii;
  }),
  // Punycode makes a Unicode domain longer: the limit applies to the stored form.
  v.maxLength(254, 'must be at most 254 characters'),
  // A domain with a top-level label of two or more letters, as validator.js requires (format email alone allows `a@b.c`).
  v.metadata({ format: 'email', pattern: '^[^\\s@]+@([^\\s@.]+\\.)+[^\\s@.\\d]{2,}$' }),
);
