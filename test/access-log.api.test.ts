import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { CustomerResource } from '../src/customers/contract.ts';
import { createLogger, type LogLevel } from '../src/kernel/logger.ts';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';

const lines: { level: LogLevel; entry: Record<string, unknown> }[] = [];
let p: TestPlatform;
beforeAll(async () => {
  const logger = createLogger({ write: (level, line) => lines.push({ level, entry: JSON.parse(line) }) });
  p = await createTestPlatform({ build: { logger } });
});
afterAll(() => p.close());

const accessLines = () => lines.filter((l) => l.entry.msg === 'request').map((l) => l.entry);

describe('one structured access-log line per request', () => {
  test('method, route template, status, duration, request id and actor', async () => {
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(), headers: { 'X-Request-Id': 'req-access-log-1' } });
    expect(created.status).toBe(201);
    lines.length = 0;
    const read = await p.call('GET', `/v1/customers/${created.body.id}`, { headers: { 'X-Request-Id': 'req-access-log-2' } });
    expect(read.status).toBe(200);
    const [line, ...more] = accessLines();
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'info', method: 'GET', route: '/v1/customers/:id', status: 200, request_id: 'req-access-log-2', actor_kind: 'operator' });
    expect(typeof line!.actor_id).toBe('string');
    expect(line!.duration_ms).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(line)).not.toContain(created.body.id);
  });

  test('refusals and unknown paths are logged too, without an actor', async () => {
    lines.length = 0;
    expect((await p.call('GET', '/v1/customers', { token: null })).status).toBe(401);
    expect((await p.call('GET', '/no/such/path', { token: null })).status).toBe(404);
    expect(accessLines().map((l) => [l.route, l.status, l.actor_kind, l.actor_id])).toEqual([
      ['/v1/customers', 401, 'anonymous', null],
      ['unmatched', 404, 'anonymous', null],
    ]);
  });
});

describe('LOG_LEVEL', () => {
  test('drops lines below the level; LOG_SILENT drops all', () => {
    const seen: string[] = [];
    const write = (level: LogLevel) => void seen.push(level);
    const warnOnly = createLogger({ level: 'warn', write });
    warnOnly.debug('d');
    warnOnly.info('i');
    warnOnly.warn('w');
    warnOnly.error('e');
    expect(seen).toEqual(['warn', 'error']);
    const silent = createLogger({ silent: true, level: 'debug', write });
    silent.error('e');
    expect(seen).toEqual(['warn', 'error']);
  });
});
