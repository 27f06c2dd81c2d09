import { Hono } from 'hono';
import { DomainError } from '../kernel/errors.ts';
import { access } from './access.ts';
import { ASSETS, type AssetName, type AssetSource } from './asset-files.ts';
import type { AppEnv } from './env.ts';

/** `GET /assets/:name`: the files of `ASSETS` (asset-files.ts), cached by browsers for a day. On Workers the platform serves them first. */
export function assetRoutes(source: AssetSource | undefined) {
  const app = new Hono<AppEnv>();
  app.get('/:name', access('public'), async (c) => {
    const name = c.req.param('name');
    const bytes = source && Object.hasOwn(ASSETS, name) ? await source(name as AssetName) : null;
    if (!bytes) throw new DomainError('not_found', `no asset ${name}`);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': ASSETS[name as AssetName].type, 'Cache-Control': 'public, max-age=86400' });
  });
  return app;
}
