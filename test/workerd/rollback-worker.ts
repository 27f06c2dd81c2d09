import { like } from 'drizzle-orm';
import { applyBundledMigrations, openDurableObjectDatabase } from '../../db/durable-object.ts';
import { consumerPositions } from '../../db/schema/index.ts';
import { createTransactor, type Transactor } from '../../src/kernel/transactor.ts';
import type { Database } from '../../db/client.ts';
import type { DurableObjectNamespace, DurableObjectState } from '../../src/entries/workers-types.ts';

/** A row this fixture writes: a consumer position named after the request. */
const row = (group: string) => ({ group, position: 1, types: ['test.fixture'], updatedAt: Date.now() });
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The adapter and transactor inside a real SQLite-backed Durable Object:
 * POST /throw?name=n writes a row, awaits a timer, then throws;
 * POST /batch?name=n queues two commands in one group commit, the second writing and then throwing;
 * GET /rows?prefix=p lists the rows written under that prefix.
 */
export class FixtureObject {
  private database!: Database;
  private transactor!: Transactor;

  constructor(state: DurableObjectState) {
    void state.blockConcurrencyWhile(async () => {
      this.database = openDurableObjectDatabase(state.storage);
      await applyBundledMigrations(this.database);
      this.transactor = createTransactor(this.database, { maxBatch: 64 });
    });
  }

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const name = url.searchParams.get('name') ?? 'x';
    if (url.pathname === '/throw') {
      const outcome = await this.transactor
        .write(async (tx) => {
          await tx.insert(consumerPositions).values(row(name));
          await tick(20);
          throw new Error('failed after writing');
        })
        .catch((error: Error) => error.message);
      return Response.json({ outcome });
    }
    if (url.pathname === '/batch') {
      const outcomes = await Promise.allSettled([
        this.transactor.write(async (tx) => tx.insert(consumerPositions).values(row(`${name}-kept`))),
        this.transactor.write(async (tx) => {
          await tx.insert(consumerPositions).values(row(`${name}-undone`));
          await tick(20);
          throw new Error('failed after writing');
        }),
      ]);
      return Response.json({ outcomes: outcomes.map((o) => o.status) });
    }
    if (url.pathname === '/rows') {
      const rows = await this.database.db.select({ group: consumerPositions.group }).from(consumerPositions).where(like(consumerPositions.group, `${url.searchParams.get('prefix')}%`));
      return Response.json(rows.map((r) => r.group).sort());
    }
    return new Response('not found', { status: 404 });
  }
}

export default {
  fetch(request: Request, env: { FIXTURE: DurableObjectNamespace }): Promise<Response> {
    return env.FIXTURE.get(env.FIXTURE.idFromName('fixture')).fetch(request);
  },
};
