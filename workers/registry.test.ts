import { expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../src/kernel/logger.ts';
import { stopWorkers, workerNames, type RunningWorker } from './registry.ts';

test('a worker that never finishes stopping does not hold up shutdown: the others stop, and it is named in the log', async () => {
  const stopped: string[] = [];
  const lines: string[] = [];
  const record = (msg: string, fields?: Record<string, unknown>) => void lines.push(JSON.stringify({ msg, ...fields }));
  const logger: Logger = { debug: record, info: record, warn: record, error: record };
  const workers = [
    { name: 'relay', stop: async () => void stopped.push('relay') },
    { name: 'profiling', stop: () => new Promise<void>(() => {}) },
    { name: 'billing', stop: async () => void stopped.push('billing') },
  ] as unknown as RunningWorker[];
  await stopWorkers(workers, logger, 20);
  expect(stopped).toEqual(['billing', 'relay']);
  expect(lines.some((l) => l.includes('worker did not stop in time') && l.includes('profiling'))).toBe(true);
});

test('every worker in the table can be run alone: bun workers/<name>.ts runs just it', () => {
  const missing = workerNames.filter((name) => {
    const path = join(import.meta.dir, `${name}.ts`);
    return !existsSync(path) || !readFileSync(path, 'utf8').includes(`runWorkers(['${name}'])`);
  });
  expect(missing).toEqual([]);
});
