import * as v from 'valibot';
import { bootstrap } from '../src/bootstrap.ts';
import type { BuildOptions } from '../src/build-deps.ts';
import type { Deps } from '../src/deps.ts';
import { loadEnvFile } from '../src/entries/env-file.ts';
import { createContext, systemActor, type Ctx } from '../src/kernel/context.ts';
import { DomainError } from '../src/kernel/errors.ts';

/** Exit codes of every command: 0 done, 1 the work failed, 2 the command line or the configuration is wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A usage problem found by a command itself (a bad value, a missing file): exits 2 with its message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses a command's input with the API's schema; a failure is a usage error naming each field. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw new UsageError(describeIssues(result.issues).map((i) => `${i.field}: ${i.message}`).join('; '));
}

/** valibot issues as `{ field, message }`, the field a dotted path (`metadata.plan`) or `(row)`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): { field: string; message: string }[] {
  return issues.map((issue) => ({ field: issue.path?.map((p) => String(p.key)).join('.') || '(row)', message: issue.message }));
}

/**
 * Runs a command's work with the platform's dependencies (config from the environment and `.env`,
 * database, migrations, via `bootstrap`) and a system actor named after the command, so events and audit say who did it.
 * Maps failures to exit codes: usage and validation errors 2, anything else 1.
 */
export async function runWithDeps(
  command: string,
  work: (ctx: Ctx, deps: Deps) => Promise<void>,
  options: Omit<BuildOptions, 'jwtSecret'> = {},
): Promise<never> {
  let deps: Deps | undefined;
  let code: number = EXIT.ok;
  try {
    loadEnvFile();
    deps = await bootstrap(process.env, options);
    await work(createContext(deps, systemActor(command)), deps);
  } catch (error) {
    code = reportError(error);
  } finally {
    await deps?.bus.close().catch(() => undefined);
    deps?.database.close();
  }
  process.exit(code);
}

/** Prints an error the way a user can act on and answers the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof DomainError) {
    const issues = error.details.issues?.map((i) => `${i.field}: ${i.message}`).join('; ');
    console.error(`error (${error.code}): ${error.message}${issues ? ` (${issues})` : ''}`);
    return error.code === 'validation' ? EXIT.usage : EXIT.failure;
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return EXIT.failure;
}
