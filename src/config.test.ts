import { describe, expect, test } from 'bun:test';
import { ConfigError, loadConfig } from './config.ts';

const fails = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).variable;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  test('embedded defaults need no variable at all', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('file:./data/app.db');
    expect(config.bus).toBe('embedded');
    expect(config.email.channel).toBe('log');
  });

  test('remote libSQL URLs are accepted', () => {
    expect(loadConfig({ DATABASE_URL: 'libsql://db.example.turso.io' }).databaseUrl).toBe('libsql://db.example.turso.io');
    expect(loadConfig({ DATABASE_URL: 'https://db.example.turso.io' }).databaseUrl).toBe('https://db.example.turso.io');
  });

  test('a bad value names its variable', () => {
    expect(fails({ PORT: 'eighty' })).toBe('PORT');
    expect(fails({ PORT: '70000' })).toBe('PORT');
    expect(fails({ DATABASE_URL: 'postgres://x' })).toBe('DATABASE_URL');
    expect(fails({ BUS: 'rabbitmq' })).toBe('BUS');
    expect(fails({ JWT_SECRET: 'short' })).toBe('JWT_SECRET');
    expect(fails({ ADMIN_EMAIL: 'not-an-email' })).toBe('ADMIN_EMAIL');
    expect(fails({ EMAIL_CHANNEL: 'smtp' })).toBe('SMTP_URL');
    expect(fails({ ADMIN_PASSWORD: 'long-enough-password' })).toBe('ADMIN_EMAIL');
  });

  test('invoice documents print INVOICE_ISSUER_NAME and the | separated INVOICE_ISSUER_ADDRESS, amounts in INVOICE_LOCALE', () => {
    expect(loadConfig({}).invoiceDocuments).toEqual({ issuer: { name: 'Subscription Platform', address: [] }, locale: 'en-US' });
    expect(loadConfig({ INVOICE_ISSUER_NAME: 'Seller GmbH', INVOICE_ISSUER_ADDRESS: 'Hauptstraße 1 | 10115 Berlin', INVOICE_LOCALE: 'de-DE' }).invoiceDocuments).toEqual({
      issuer: { name: 'Seller GmbH', address: ['Hauptstraße 1', '10115 Berlin'] },
      locale: 'de-DE',
    });
    expect(fails({ INVOICE_LOCALE: 'not a locale!' })).toBe('INVOICE_LOCALE');
  });

  test('LOG_LEVEL is info by default; METRICS_TOKEN is optional and at least 16 characters', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ LOG_LEVEL: 'debug', METRICS_TOKEN: 'scraper-token-0123456789' })).toMatchObject({ logLevel: 'debug', metricsToken: 'scraper-token-0123456789' });
    expect(fails({ LOG_LEVEL: 'verbose' })).toBe('LOG_LEVEL');
    expect(fails({ METRICS_TOKEN: 'short' })).toBe('METRICS_TOKEN');
  });

  test('PASSWORD_ITERATIONS sets the PBKDF2 count of new hashes, 310,000 by default and never under 100,000', () => {
    expect(loadConfig({}).passwords.iterations).toBe(310_000);
    expect(loadConfig({ PASSWORD_ITERATIONS: '100000' }).passwords.iterations).toBe(100_000);
    expect(fails({ PASSWORD_ITERATIONS: '99999' })).toBe('PASSWORD_ITERATIONS');
    expect(fails({ PASSWORD_ITERATIONS: 'many' })).toBe('PASSWORD_ITERATIONS');
  });

  test('usage records may run ahead of the clock by USAGE_CLOCK_SKEW_SECONDS, 5 minutes by default', () => {
    expect(loadConfig({}).usage.clockSkewMs).toBe(300_000);
    expect(loadConfig({ USAGE_CLOCK_SKEW_SECONDS: '0' }).usage.clockSkewMs).toBe(0);
    expect(fails({ USAGE_CLOCK_SKEW_SECONDS: '5m' })).toBe('USAGE_CLOCK_SKEW_SECONDS');
  });

  test('a weak ADMIN_PASSWORD stops the start with a clear error naming it', () => {
    const reason = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(fails({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'Password1234' })).toBe('ADMIN_PASSWORD');
    expect(reason({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'Password1234' })).toContain('ADMIN_PASSWORD is one of the most common passwords');
    expect(reason({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'ROOT@EXAMPLE.COM' })).toContain('ADMIN_PASSWORD must not be or contain the email address');
    expect(reason({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'correct horse battery staple' })).toBe('accepted');
  });

  test('login limit settings have defaults and are checked', () => {
    expect(loadConfig({}).login).toEqual({ maxFailuresPerEmail: 5, maxFailuresPerAddress: 20, windowMs: 900_000, clientAddressHeader: undefined });
    expect(loadConfig({ CLIENT_ADDRESS_HEADER: 'CF-Connecting-IP' }).login.clientAddressHeader).toBe('CF-Connecting-IP');
    expect(fails({ LOGIN_MAX_FAILURES_PER_EMAIL: '0' })).toBe('LOGIN_MAX_FAILURES_PER_EMAIL');
    expect(fails({ LOGIN_FAILURE_WINDOW_SECONDS: 'soon' })).toBe('LOGIN_FAILURE_WINDOW_SECONDS');
    expect(fails({ CLIENT_ADDRESS_HEADER: 'X Forwarded: For' })).toBe('CLIENT_ADDRESS_HEADER');
  });

  test('rate limit settings have defaults, take 0 for off and are checked', () => {
    expect(loadConfig({}).limits).toEqual({ perPrincipal: 6000, perAddress: { login: 30, signup: 10, password_reset: 10, emailed_code: 10 } });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_SIGNUP_PER_MINUTE: '3' }).limits).toEqual({ perPrincipal: 0, perAddress: { login: 30, signup: 3, password_reset: 10, emailed_code: 10 } });
    expect(fails({ RATE_LIMIT_PER_MINUTE: '-1' })).toBe('RATE_LIMIT_PER_MINUTE');
    expect(fails({ RATE_LIMIT_LOGIN_PER_MINUTE: 'many' })).toBe('RATE_LIMIT_LOGIN_PER_MINUTE');
  });

  test('empty strings count as unset', () => {
    expect(loadConfig({ PORT: '', JWT_SECRET: '' }).port).toBe(3000);
  });
});
