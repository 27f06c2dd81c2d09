/**
 * The browser files the app serves itself (never from a CDN: operators behind a
 * firewall must get working pages): the name in `/assets/<name>` → the file in
 * its npm package, and its content type.
 */
export const ASSETS = {
  'htmx.min.js': { file: 'htmx.org/dist/htmx.min.js', type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': { file: 'uplot/dist/uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: 'uplot/dist/uPlot.min.css', type: 'text/css; charset=utf-8' },
  'scalar.js': { file: '@scalar/api-reference/dist/browser/standalone.js', type: 'text/javascript; charset=utf-8' },
} as const;

export type AssetName = keyof typeof ASSETS;

/** Reads an asset's bytes (from `node_modules` on a server); null when this runtime serves them otherwise. */
export type AssetSource = (name: AssetName) => Promise<Uint8Array | null>;
