import { describe, expect, test } from 'bun:test';
import { ConfigError } from '../config.ts';
import { loadWorkerConfig } from './worker-config.ts';

const SECRET = 'a-worker-secret-that-is-long-enough-0123';
const refusal = (env: Record<string, unknown>) => {
  try {
    loadWorkerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return { variable: error.variable, message: error.message };
    throw error;
  }
  return null;
};

describe('configuration on Workers', () => {
  test('refuses to start without JWT_SECRET, naming it', () => {
    expect(refusal({})).toMatchObject({ variable: 'JWT_SECRET', message: expect.stringContaining('required on Workers') });
  });

  test('refuses BUS=kafka and EMAIL_CHANNEL=smtp, naming the variable', () => {
    expect(refusal({ JWT_SECRET: SECRET, BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092' })).toMatchObject({ variable: 'BUS', message: expect.stringContaining('kafka-rest') });
    expect(refusal({ JWT_SECRET: SECRET, EMAIL_CHANNEL: 'smtp', SMTP_URL: 'smtp://127.0.0.1:25' })).toMatchObject({ variable: 'EMAIL_CHANNEL' });
  });

  test('takes vars and secrets, skips bindings, and keeps the embedded and Kafka REST buses', () => {
    const config = loadWorkerConfig({ JWT_SECRET: SECRET, PLATFORM: { idFromName() {} }, ADMIN_EMAIL: 'ops@example.com' });
    expect(config.jwt.secret).toBe(SECRET);
    expect(config.admin.email).toBe('ops@example.com');
    expect(config.bus).toBe('embedded');
    expect(loadWorkerConfig({ JWT_SECRET: SECRET, BUS: 'kafka-rest', KAFKA_REST_URL: 'https://rest.example' }).bus).toBe('kafka-rest');
  });
});
