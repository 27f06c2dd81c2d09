#!/usr/bin/env node
// `npx platform …`: the CLI (bin/platform.ts) is TypeScript for Bun, and this plain-JavaScript
// launcher runs it with the Bun that npm installed (the `bun` dev dependency), so it works from
// any Node npm runs on. Arguments, standard streams and the exit code pass through.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The installed Bun's binary, from the `bin` its package declares. */
function bunBinary() {
  if (process.versions.bun) return process.execPath;
  const require = createRequire(import.meta.url);
  try {
    const manifest = require.resolve('bun/package.json');
    const { bin } = require('bun/package.json');
    return join(dirname(manifest), typeof bin === 'string' ? bin : bin.bun);
  } catch {
    console.error('error: Bun is not installed here; run `npm install` in the project first');
    process.exit(2);
  }
}

// --no-env-file: the CLI reads `.env` itself (src/entries/env-file.ts), as every entry does.
const result = spawnSync(bunBinary(), ['--no-env-file', join(here, 'platform.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
if (result.error) {
  console.error(`error: could not start Bun: ${result.error.message}`);
  process.exit(1);
}
// A CLI killed by a signal exits as a shell would report it (128 + the signal's number).
const signals = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
process.exit(result.status ?? 128 + (signals[result.signal] ?? 1));
