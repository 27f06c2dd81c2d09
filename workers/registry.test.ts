import { expect, test } from 'bun:test';
import { spawnProcess, tempDataDir } from '../test/processes.ts';
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

test('every worker in the table can be run alone: bun workers/all.ts <name> runs just it, and an unknown name is refused', async () => {
  const data = tempDataDir('platform-workers-');
  try {
    const env = { DATABASE_URL: data.databaseUrl, DATA_DIR: data.dir, LOG_FORMAT: 'json', LOG_SILENT: '0' };
    const alone = spawnProcess('billing-alone', [process.execPath, 'workers/all.ts', 'billing'], env);
    await alone.waitForOutput(/"workers started"/);
    await alone.stop();
    const started = alone.output().split('\n').find((line) => line.includes('"workers started"'))!;
    expect(JSON.parse(started).workers).toEqual(['billing']);

    const wrong = spawnProcess('unknown-worker', [process.execPath, 'workers/all.ts', 'biling'], env);
    expect(await wrong.exited).toBe(2);
    expect(wrong.output()).toContain('unknown worker biling: the workers are relay, ');
  } finally {
    data.remove();
  }
});
