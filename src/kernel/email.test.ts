import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { email } from './email.ts';

const valid: [string, string][] = [
  ["o'brien@example.com", "o'brien@example.com"],
  ['user@xn--mller-kva.de', 'user@xn--mller-kva.de'],
  ['user@müller.de', 'user@xn--mller-kva.de'],
  ['User@Müller.DE', 'user@xn--mller-kva.de'],
  ['  first.last+tag@sub.example.co.uk ', 'first.last+tag@sub.example.co.uk'],
  ["!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com"],
  ['"john doe"@example.com', '"john doe"@example.com'],
  ['ops@acme.example', 'ops@acme.example'],
  [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
];

const invalid = [
  'a@b',
  '@x.com',
  'a b@c.com',
  'a@@b.com',
  'plainaddress',
  'a..b@example.com',
  '.a@example.com',
  'a.@example.com',
  'a@-example.com',
  'a@example-.com',
  'a@example..com',
  'a@exa_mple.com',
  'a@example.com.',
  'a@example.c',
  'a@[127.0.0.1]',
  'a@1.2.3.4',
  'Name <a@example.com>',
  'ü@example.com',
  '"a\u0000b"@example.com',
  'a\u0000b@example.com',
  `${'a'.repeat(65)}@example.com`,
  `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(58)}.com`, // 255 characters
  `a@${'ü'.repeat(40)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(58)}.com`, // short in Unicode, over 254 as punycode
];

describe('email addresses (RFC 5321 + IDNA)', () => {
  for (const [input, stored] of valid) {
    test(`accepts ${JSON.stringify(input.length > 40 ? `${input.slice(0, 20)}…` : input)}`, () => {
      expect(v.parse(email, input)).toBe(stored);
    });
  }
  for (const input of invalid) {
    test(`refuses ${JSON.stringify(input.length > 40 ? `${input.slice(0, 20)}… (${input.length})` : input)}`, () => {
      expect(v.safeParse(email, input).success).toBe(false);
    });
  }
});
