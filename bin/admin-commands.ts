import { count, sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrationsFolder } from '../db/migrate.ts';
import { createApiKeyInput } from '../src/api-keys/contract.ts';
import { createApiKey } from '../src/api-keys/create.ts';
import type { Deps } from '../src/deps.ts';
import type { Ctx } from '../src/kernel/context.ts';
import { generatePassword } from '../src/kernel/password.ts';
import { createOperatorInput } from '../src/operators/contract.ts';
import { createOperator } from '../src/operators/create.ts';
import { outboxBacklog } from '../src/reports/activity.ts';
import { parseInput } from './cli-support.ts';

/** `migrate`: bootstrap has applied them; reports how many the database holds against the files. */
export async function reportMigrations(deps: Deps): Promise<void> {
  const expected = readMigrationFiles({ migrationsFolder }).length;
  const [row] = await deps.db.select({ n: count() }).from(sql`__drizzle_migrations`);
  const applied = row?.n ?? 0;
  console.log(`migrations: ${applied} applied of ${expected} expected${applied === expected ? ' (up to date)' : ''}`);
  if (applied !== expected) throw new Error(`the database holds ${applied} migrations, the code expects ${expected}`);
}

/** `create-operator`: the password policy applies; without `--password` one is generated and printed once. */
export async function createOperatorCommand(ctx: Ctx, options: { email: string; name: string; role: string; password?: string }): Promise<void> {
  const password = options.password ?? generatePassword();
  const input = parseInput(createOperatorInput, { email: options.email, name: options.name, role: options.role, password });
  const operator = await createOperator(ctx, input);
  console.log(`created operator ${operator.id} ${operator.email} (${operator.role})`);
  if (options.password === undefined) console.log(`password: ${password} (shown once)`);
}

/** `create-api-key`: prints the key once. */
export async function createApiKeyCommand(ctx: Ctx, options: { name: string; scopes: string; customer?: string; expires?: string }): Promise<void> {
  const input = parseInput(createApiKeyInput, {
    name: options.name,
    scopes: options.scopes.split(',').map((s) => s.trim()).filter(Boolean),
    ...(options.customer === undefined ? {} : { customer_id: options.customer }),
    ...(options.expires === undefined ? {} : { expires_at: options.expires }),
  });
  const key = await createApiKey(ctx, input);
  console.log(`created api key ${key.id} (${key.scopes.join(', ')})${key.customer_id ? ` for ${key.customer_id}` : ''}`);
  console.log(`key: ${key.key} (shown once)`);
}

/** `outbox status`: unpublished events, the oldest one's age and each consumer group's lag. */
export async function outboxStatus(ctx: Ctx, deps: Deps, json: boolean): Promise<void> {
  const backlog = await outboxBacklog(deps.db);
  const oldestAgeSeconds = backlog.oldestAt === null ? null : Math.max(0, Math.round((ctx.clock.now() - backlog.oldestAt) / 1000));
  const groups = await deps.bus.groups();
  if (json) {
    console.log(JSON.stringify({ unpublished: backlog.depth, oldest_age_seconds: oldestAgeSeconds, groups: groups.map((g) => ({ group: g.group, position: g.position, lag: g.lag, dead_letters: g.deadLetters })) }));
    return;
  }
  console.log(`outbox: ${backlog.depth} unpublished${oldestAgeSeconds === null ? '' : `, oldest ${oldestAgeSeconds} s old`}`);
  if (groups.length === 0) console.log('groups: none has consumed yet');
  for (const g of groups) console.log(`group ${g.group}: lag ${g.lag}, position ${g.position}, dead letters ${g.deadLetters}`);
}
