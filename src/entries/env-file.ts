import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Parses the text of a `.env` file: `KEY=value` lines, an optional `export ` before the key,
 * `#` comments on lines of their own or after an unquoted value, blank lines. A value in single
 * quotes is taken as written; in double quotes `\n` is a newline, `\"` a quote and `\\` a
 * backslash (any other backslash stays as written: `"C:\data"`); an unquoted value is trimmed.
 * No `$VAR` expansion, so a value means the same on every runtime.
 */
export function parseEnvFile(text: string): Record<string, string> {
  return readEnvText(text).values;
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|(?!['"])([^\n#]*?))\s*(?:#.*)?$/;
const UNESCAPED: Record<string, string> = { n: '\n', '"': '"', '\\': '\\' };

/** The values of a `.env` text, and the numbers of the lines that are neither blank, a comment nor `KEY=value`. */
function readEnvText(text: string): { values: Record<string, string>; unread: number[] } {
  const values: Record<string, string> = {};
  const unread: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = LINE.exec(raw);
    if (!m) {
      if (raw.trim() !== '' && !raw.trim().startsWith('#')) unread.push(i + 1);
      return;
    }
    const [, key, single, double, bare] = m;
    values[key!] = single ?? (double !== undefined ? double.replace(/\\(.)/g, (escape, c: string) => UNESCAPED[c] ?? escape) : (bare ?? ''));
  });
  return { values, unread };
}

/**
 * Every server entry (Bun, Node, Deno, the workers, the CLI) reads `.env` from the working
 * directory through this one reader, so a setting there means the same on each runtime.
 * A variable already in the environment wins over the file; a missing file is no error.
 * (Bun's own loading is off in bunfig.toml, or it would also read `.env.local` and expand `$VAR`.)
 * A line it cannot read (an unclosed quote, a value over several lines) is named on stderr and
 * skipped, never half-read. Answers the names it set, for the entry to log.
 */
export function loadEnvFile(env: Record<string, string | undefined> = process.env, directory = process.cwd()): string[] {
  let text: string;
  try {
    text = readFileSync(join(directory, '.env'), 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  const { values, unread } = readEnvText(text);
  for (const line of unread) console.error(`.env line ${line} is not KEY=value (or a comment); it was skipped`);
  const set: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (env[key] !== undefined) continue;
    env[key] = value;
    set.push(key);
  }
  return set;
}
