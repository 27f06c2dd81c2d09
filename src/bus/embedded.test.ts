import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Database } from '../../db/client.ts';
import { openTempDatabase } from '../../test/processes.ts';
import { eventually } from '../../test/harness.ts';
import type { CloudEvent } from '../events/envelope.ts';
import { systemClock } from '../kernel/clock.ts';
import { newId } from '../kernel/ids.ts';
import { createLogger } from '../kernel/logger.ts';
import { createTransactor } from '../kernel/transactor.ts';
import { isInfrastructureError } from './consumer.ts';
import { createEmbeddedBus } from './embedded.ts';

let temp: Awaited<ReturnType<typeof openTempDatabase>>;
let database: Database;
beforeAll(async () => {
  temp = await openTempDatabase('embedded-');
  database = temp.database;
});
afterAll(() => temp.remove());

const busyError = () => Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY' });

describe('embedded bus subscription', () => {
  test('survives a failed delivery: backs off, redelivers the same event, then carries on', async () => {
    const bus = createEmbeddedBus({ db: database.db, transactor: createTransactor(database), clock: systemClock, logger: createLogger({ silent: true }), pollMs: 5, retryMs: 5 });
    const subject = newId('cus');
    const events: CloudEvent[] = [1, 2, 3].map((sequence) => ({
      specversion: '1.0', id: newId('evt'), source: 'urn:test', type: 'test.flaky', subject, time: new Date().toISOString(),
      datacontenttype: 'application/json', sequence, data: {},
    }));
    await bus.publish(events);
    const seen: number[] = [];
    let failures = 0;
    const sub = bus.subscribe({
      group: 'flaky',
      types: ['test.flaky'],
      handle: async (raw) => {
        const e = raw as CloudEvent;
        if (e.sequence === 2 && failures < 2) {
          failures++;
          throw busyError();
        }
        seen.push(e.sequence);
      },
    });
    await eventually(async () => seen.length === 3);
    await sub.stop();
    expect(failures).toBe(2);
    expect(seen).toEqual([1, 2, 3]);
    expect((await bus.groups()).find((g) => g.group === 'flaky')?.lag).toBe(0);
  });

  test('tells database failures from handler failures', () => {
    expect(isInfrastructureError(busyError())).toBe(true);
    expect(isInfrastructureError(new Error('Failed query', { cause: busyError() }))).toBe(true);
    expect(isInfrastructureError(Object.assign(new Error('UNIQUE'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
    expect(isInfrastructureError(new TypeError('template exploded'))).toBe(false);
  });
});
