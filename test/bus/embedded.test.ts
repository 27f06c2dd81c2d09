import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../db/client.ts';
import { applyMigrations } from '../../db/migrate.ts';
import { createEmbeddedBus } from '../../src/bus/embedded.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { createTransactor } from '../../src/kernel/transactor.ts';
import { busContract } from './contract.ts';

busContract('embedded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-'));
  const database = await openDatabase(`file:${join(dir, 'bus.db')}`);
  await applyMigrations(database);
  // One writer per process (see Transactor): a "restarted" bus is a new bus over the same database.
  const transactor = createTransactor(database);
  const openBus = async () =>
    createEmbeddedBus({ db: database.db, transactor, clock: systemClock, logger: createLogger({ silent: true }), pollMs: 10 });
  return {
    bus: await openBus(),
    reopen: openBus,
    async close() {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
