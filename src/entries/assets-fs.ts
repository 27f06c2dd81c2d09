import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ASSETS, type AssetSource } from '../http/asset-files.ts';

const nodeModules = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** Assets read from the project's `node_modules` once each, then kept in memory (Bun, Node, Deno). */
export function fileAssets(): AssetSource {
  const cache = new Map<string, Promise<Uint8Array | null>>();
  return (name) => {
    let bytes = cache.get(name);
    if (!bytes) {
      bytes = readFile(nodeModules + ASSETS[name].file).then((b) => new Uint8Array(b), () => null);
      cache.set(name, bytes);
    }
    return bytes;
  };
}
