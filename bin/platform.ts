#!/usr/bin/env bun
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createApiKeyCommand, createOperatorCommand, outboxStatus, reportMigrations } from './admin-commands.ts';
import { EXIT, runWithDeps, UsageError } from './cli-support.ts';
import { importCustomers, importFormats, type ImportFormat } from './import-customers.ts';
import { replayEvents } from './replay-events.ts';
import { seed } from './seed.ts';
import { operatorRoles } from '../db/schema/index.ts';
import { manualClock } from '../src/kernel/clock.ts';

/**
 * The platform's command line (`npx platform …` through `bin/platform.js`, or `npm run cli -- …`).
 * Every command reads the same environment as the server (DATABASE_URL, …, and `.env`), applies the migrations
 * (bootstrap) and changes state through the API's verbs, as a system actor named after it.
 * Exit codes: 0 done, 1 the work failed, 2 usage or configuration error.
 */
const program = new Command('platform')
  .description('Operate the subscription platform: migrations, operators, API keys, imports, the outbox.')
  .showHelpAfterError('(run with --help for usage)')
  // Usage errors exit 2 (commander's default is 1); --help and --version exit 0.
  .exitOverride((error: CommanderError) => {
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};

program
  .command('migrate')
  .description('apply pending database migrations and print how many are applied of those expected')
  .action(() => runWithDeps('migrate', (_ctx, deps) => reportMigrations(deps)));

program
  .command('create-operator')
  .description('create an operator (the password policy applies; without --password one is generated and printed once)')
  .requiredOption('--email <email>', 'sign-in email')
  .requiredOption('--name <name>', 'display name')
  .addOption(new Option('--role <role>', 'role').choices(operatorRoles).makeOptionMandatory())
  .option('--password <password>', 'password (at least 12 characters, not weak)')
  .action((options) => runWithDeps('create-operator', (ctx) => createOperatorCommand(ctx, options)));

program
  .command('create-api-key')
  .description('create an API key and print it once')
  .requiredOption('--name <name>', 'what the key is for')
  .requiredOption('--scopes <list>', 'comma-separated scopes, e.g. usage:write,customers:read')
  .option('--customer <id>', 'confine the key to one customer (cus_…)')
  .option('--expires <iso>', 'expiry time, ISO 8601')
  .action((options) => runWithDeps('create-api-key', (ctx) => createApiKeyCommand(ctx, options)));

const outbox = program.command('outbox').description('the transactional outbox');
outbox
  .command('status')
  .description('unpublished events, the age of the oldest, and each consumer group\'s lag')
  .option('--json', 'print one JSON object')
  .action((options: { json?: boolean }) => runWithDeps('outbox-status', (ctx, deps) => outboxStatus(ctx, deps, options.json === true)));

const importCommand = program.command('import').description('bulk imports');
importCommand
  .command('customers')
  .description(
    'import customers from CSV (with a header) or JSON Lines through the onboarding verb; ' +
      'idempotent by email (rows whose email a customer has are skipped), so a re-run resumes',
  )
  .argument('<file>', 'a .csv, .jsonl or .ndjson file')
  .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(importFormats))
  .option('--report <file>', 'where rejected rows go (default: <file>.rejected.jsonl)')
  .option('--batch-size <n>', 'rows onboarded per transaction', positiveInt, 500)
  .option('--no-progress', 'no progress bar (it is off anyway when stderr is not a terminal)')
  .action((file: string, options: { format?: ImportFormat; report?: string; batchSize: number; progress: boolean }) =>
    runWithDeps('import-customers', async (ctx) => {
      const summary = await importCustomers(ctx, { file, ...options, progress: options.progress && process.stderr.isTTY === true });
      const rate = summary.seconds > 0 ? Math.round((summary.imported + summary.skipped) / summary.seconds) : 0;
      console.log(`imported ${summary.imported}, skipped ${summary.skipped} (already there), rejected ${summary.rejected}`);
      console.log(`${summary.seconds.toFixed(1)} s, ${rate} rows/s${summary.rejected > 0 ? `; rejected rows in ${options.report ?? `${file}.rejected.jsonl`}` : ''}`);
    }),
  );

program
  .command('seed')
  .description(
    'fill a fresh database with demo data through the API\'s verbs: plans (EUR, USD), ~50 customers of every kind with users, ' +
      'subscriptions (trialing, active, past_due, canceled), and a year of usage, invoices and payments ending today',
  )
  .option('--force', 'seed even though the database already has customers')
  .option('--customers <n>', 'customers to create', positiveInt, 50)
  .option('--days <n>', 'days of history, ending today', positiveInt, 365)
  .option('--no-progress', 'no progress bar (it is off anyway when stderr is not a terminal)')
  .action((options: { force?: boolean; customers: number; days: number; progress: boolean }) => {
    const clock = manualClock(Date.now());
    return runWithDeps(
      'seed',
      async (_ctx, deps) => {
        const s = await seed(deps, clock, { force: options.force === true, customers: options.customers, days: options.days, progress: options.progress && process.stderr.isTTY === true });
        console.log(`seeded ${s.plans} plans, ${s.customers} customers, ${s.users} users, ${s.subscriptions} subscriptions, ${s.usageRecords} usage records`);
        console.log(`${s.billingPasses} billing passes over ${options.days} days in ${s.seconds.toFixed(1)} s`);
      },
      { clock },
    );
  });

const events = program.command('events').description('the event bus');
events
  .command('replay')
  .description(
    'deliver the embedded bus log again from a position to one consumer group (its inbox absorbs what it already handled); ' +
      'on Kafka, reset the group\'s offsets with Kafka\'s tools instead',
  )
  .requiredOption('--group <group>', 'the consumer group (see `outbox status`)')
  .requiredOption('--from <position>', 'the first log offset to deliver again (0: from the start)', (value: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number of at least 0');
    return n;
  })
  .action((options: { group: string; from: number }) =>
    runWithDeps('events-replay', async (ctx, deps) => {
      const r = await replayEvents(ctx, deps, options);
      console.log(`group ${r.group} moved from position ${r.previous} to ${r.position}: ${r.again} events will be seen again (the inbox skips those already handled)`);
    }),
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // exitOverride exits; anything else reaching here is a usage problem found while parsing.
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof UsageError ? EXIT.usage : EXIT.failure);
}
