import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildDeps, type BuildOptions } from './build-deps.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { Deps } from './deps.ts';
import { createContext, systemActor } from './kernel/context.ts';
import { ensureFirstAdmin } from './operators/first-admin.ts';

/** The JWT secret from the environment, or one generated once and kept in the data folder. */
function resolveJwtSecret(config: Config): string {
  if (config.jwt.secret) return config.jwt.secret;
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url');
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    // Another process created it first: everyone uses that one.
    return readFileSync(file, 'utf8').trim();
  }
}

/**
 * Entry-point set-up for processes with a file system (Bun, Node, Deno):
 * reads and checks the environment, prepares the data folder, opens and
 * migrates the database, and creates the first admin when there is none.
 * Exits with a message naming the variable when the configuration is wrong.
 */
export async function bootstrap(env: Record<string, string | undefined>, options: Omit<BuildOptions, 'jwtSecret'> = {}): Promise<Deps> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (config.databaseUrl.startsWith('file:')) {
    const path = config.databaseUrl.slice('file:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  }
  const deps = await buildDeps(config, { ...options, jwtSecret: resolveJwtSecret(config) });
  const admin = await ensureFirstAdmin(createContext(deps, systemActor('bootstrap')), config.admin);
  if (admin) {
    console.log(
      admin.password
        ? `Created the first admin: ${admin.email} with password ${admin.password} (shown once; set ADMIN_EMAIL/ADMIN_PASSWORD to choose them)`
        : `Created the first admin: ${admin.email} (password from ADMIN_PASSWORD)`,
    );
  }
  return deps;
}
