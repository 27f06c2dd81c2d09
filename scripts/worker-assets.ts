import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSETS } from '../src/http/asset-files.ts';

/**
 * Copies the browser files the app serves at /assets/* (htmx, uPlot, Scalar) from
 * node_modules into dist/public/assets, which wrangler uploads as the Worker's static
 * assets: on Workers the platform serves them before the Worker runs. wrangler runs
 * this as its build command (wrangler.toml), before `wrangler dev` and `wrangler deploy`.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'public', 'assets');
mkdirSync(target, { recursive: true });
for (const [name, { file }] of Object.entries(ASSETS)) copyFileSync(join(root, 'node_modules', file), join(target, name));
console.log(`copied ${Object.keys(ASSETS).length} assets to ${target}`);
