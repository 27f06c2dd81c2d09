import { describe, expect, test } from 'bun:test';
import { isCommonPassword, passwordWeakness } from './password-policy.ts';

describe('password policy', () => {
  test('refuses the email, case-insensitively, and passwords that contain it or its local part', () => {
    expect(passwordWeakness('Ada.Lovelace@Example.com', 'ada.lovelace@example.com')).toContain('email address');
    expect(passwordWeakness('my ADA.LOVELACE@example.com!', 'ada.lovelace@example.com')).toContain('email address');
    expect(passwordWeakness('Ada.Lovelace-2026!', 'ada.lovelace@example.com')).toContain('before @');
  });

  test('a short local part is not refused inside a password', () => {
    expect(passwordWeakness('jo jo jo jo jo jo', 'jo@example.com')).toBeNull();
  });

  test('refuses the common-password list case-insensitively', () => {
    expect(isCommonPassword('password1234')).toBe(true);
    expect(isCommonPassword('PassWord1234')).toBe(true);
    expect(passwordWeakness('QWERTY123456', 'ops@example.com')).toContain('most common');
  });

  test('accepts a long uncommon password unrelated to the email', () => {
    expect(passwordWeakness('correct horse battery staple', 'ada.lovelace@example.com')).toBeNull();
  });
});
