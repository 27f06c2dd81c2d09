import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Parses the text of a `.env` file: `KEY=value` lines, an optional `export ` before the key,
 * `#` comments on lines of their own or after an unquoted value, blank lines. A value in single
 * quotes is taken as written; in double quotes `\n` is a newline and `\"` a quote; an unquoted
 * value is trimmed. No `$VAR` expansion, so a value means the same on every runtime.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const line = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\n#]*?))\s*(?:#.*)?$/;
  for (const raw of text.split(/\r?\n/)) {
    const m = line.exec(raw);
    if (!m) continue;
    const [, key, single, double, bare] = m;
    values[key!] = single ?? (double !== undefined ? double.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) : (bare ?? ''));
  }
  return values;
}

/**
 * Every server entry (Bun, Node, Deno, the workers, the CLI) reads `.env` from the working
 * directory through this one reader, so a setting there means the same on each runtime.
 * A variable already in the environment wins over the file; a missing file is no error.
 * (Bun's own loading is off in bunfig.toml, or it would also read `.env.local` and expand `$VAR`.)
 * Answers the names it set.
 */
export function loadEnvFile(env: Record<string, string | undefined> = process.env, directory = process.cwd()): string[] {
  let text: string;
  try {
    text = readFileSync(join(directory, '.env'), 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  const set: string[] = [];
  for (const [key, value] of Object.entries(parseEnvFile(text))) {
    if (env[key] !== undefined) continue;
    env[key] = value;
    set.push(key);
  }
  return set;
}
