import { describe, expect, test } from 'bun:test';
import { loadConfig, settingsFrom } from '../config.ts';
import { manualClock } from './clock.ts';
import { createContext, systemActor, type ContextServices } from './context.ts';
import { createLogger } from './logger.ts';
import { noopMetrics } from './metrics.ts';

const settings = settingsFrom(loadConfig({ INVOICE_DRAFT_MINUTES: '5', USAGE_CLOCK_SKEW_SECONDS: '7' }));
const services: ContextServices = {
  db: {} as ContextServices['db'],
  transactor: {} as ContextServices['transactor'],
  clock: manualClock(),
  logger: createLogger({ silent: true }),
  metrics: noopMetrics,
  eventSource: 'urn:test',
  settings,
};

describe('one context builder', () => {
  test('makes a context for an actor with the services and the settings, and nothing else of a larger bag', () => {
    const deps = { ...services, bus: 'not part of a context', config: { port: 1 } };
    const ctx = createContext(deps, systemActor('billing'), { requestId: 'req-1' });
    expect(Object.keys(ctx).sort()).toEqual(['actor', 'clock', 'db', 'eventSource', 'logger', 'metrics', 'requestId', 'settings', 'transactor']);
    expect(ctx.actor).toEqual({ id: 'system:billing', kind: 'system', role: 'system' });
    expect(ctx.requestId).toBe('req-1');
    expect(ctx.clock).toBe(services.clock);
  });

  test('settings ride in the context, built once from the configuration', () => {
    const ctx = createContext(services, systemActor('test'));
    expect(ctx.settings).toBe(settings);
    expect(ctx.settings.billing.draftMs).toBe(5 * 60_000);
    expect(ctx.settings.usage.clockSkewMs).toBe(7_000);
    expect(ctx.settings.billing.dunningRetryDays).toEqual([1, 3, 5]);
    expect(ctx.settings.login).toMatchObject({ maxFailuresPerEmail: 5, maxFailuresPerAddress: 20, windowMs: 900_000 });
    expect(ctx.settings.notify).toEqual({ maxAttempts: 5, backoffMs: 1_000, leaseMs: 60_000 });
    expect('requestId' in ctx).toBe(false);
  });
});
