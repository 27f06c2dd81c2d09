import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { killAll } from './processes.ts';
import { startDevWorker, type DevWorker } from './workerd.ts';

let worker: DevWorker;
beforeAll(async () => {
  worker = await startDevWorker({ JWT_SECRET: 'fixture-secret-that-is-long-enough-0123456' }, { args: ['--config', 'test/workerd/wrangler.toml'], readyPath: '/rows?prefix=ready' });
}, 150_000);
afterAll(async () => {
  await worker?.stop();
  await killAll();
});

const post = async (path: string) => (await fetch(`${worker.url}${path}`, { method: 'POST' })).json();
const rows = async (prefix: string) => (await fetch(`${worker.url}/rows?prefix=${prefix}`)).json();

describe('the Durable Object database inside workerd', () => {
  test('a command that throws after writing and awaiting leaves nothing behind', async () => {
    expect(await post('/throw?name=lone')).toEqual({ outcome: 'failed after writing' });
    expect(await rows('lone')).toEqual([]);
  });

  test('in a group commit, the failing command alone is undone (nested storage transactions as savepoints)', async () => {
    expect(await post('/batch?name=pair')).toEqual({ outcomes: ['fulfilled', 'rejected'] });
    expect(await rows('pair')).toEqual(['pair-kept']);
  });
});
