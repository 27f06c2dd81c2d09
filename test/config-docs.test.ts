import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIGURATION_DOC, withSettingsTable } from '../scripts/generate-config-docs.ts';
import { configVariables } from '../src/config.ts';

const ROOT = join(import.meta.dirname, '..');

/** The variables a `.env` file sets, commented out (`# NAME=`) or not. */
function variablesOf(envFile: string): string[] {
  return envFile.split('\n').flatMap((line) => {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    return match ? [match[1]!] : [];
  });
}

describe('the configuration reference', () => {
  test("docs/configuration.md's table is what src/config.ts declares today", () => {
    const committed = readFileSync(CONFIGURATION_DOC, 'utf8');
    const stale = 'docs/configuration.md is stale: run `npm run docs:config` and commit the result';
    expect(committed === withSettingsTable(committed) ? 'fresh' : stale).toBe('fresh');
  });

  test('.env.example lists every variable the configuration reads, once, and no other', () => {
    const listed = variablesOf(readFileSync(join(ROOT, '.env.example'), 'utf8'));
    expect({ missing: configVariables.filter((name) => !listed.includes(name)), unknown: listed.filter((name) => !configVariables.includes(name)) }).toEqual({ missing: [], unknown: [] });
    expect(listed.filter((name, i) => listed.indexOf(name) !== i)).toEqual([]);
  });
});
