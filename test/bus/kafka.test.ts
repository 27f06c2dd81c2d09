import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../db/client.ts';
import { applyMigrations } from '../../db/migrate.ts';
import { createKafkaBus } from '../../src/bus/kafka.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { createTransactor } from '../../src/kernel/transactor.ts';
import { kafkaBrokers, SKIP_REASON, uniquePrefix } from '../kafka-env.ts';
import { busContract } from './contract.ts';

busContract('kafka', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-'));
  const database = await openDatabase(`file:${join(dir, 'bus.db')}`);
  await applyMigrations(database);
  const transactor = createTransactor(database);
  const prefix = uniquePrefix('contract');
  const opened: ReturnType<typeof createKafkaBus>[] = [];
  const openBus = async () => {
    const bus = createKafkaBus({
      brokers: kafkaBrokers.split(','),
      clientId: 'contract',
      topicPrefix: prefix,
      partitions: 3,
      replicationFactor: 1,
      sessionTimeoutMs: 6000,
      retryMs: 200,
      db: database.db,
      transactor,
      clock: systemClock,
      logger: createLogger({ silent: true }),
    });
    opened.push(bus);
    return bus;
  };
  return {
    bus: await openBus(),
    reopen: openBus,
    async close() {
      for (const bus of opened) await bus.close();
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}, { skip: kafkaBrokers ? false : SKIP_REASON });
