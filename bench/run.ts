import { killAll } from '../test/processes.ts';
import { apiOnly, helloCeiling } from './http.ts';
import { printTable, type Row } from './lib/report.ts';
import { requireWrk } from './lib/wrk.ts';
import { pipeline } from './pipeline.ts';
import { usage } from './usage.ts';

// `npm run bench [seconds]`: every figure next to a ceiling measured in this same run.
const seconds = Number(process.argv[2] ?? process.env.BENCH_SECONDS ?? 8);
requireWrk();
const rows: Row[] = [];
try {
  const hello = await helloCeiling(seconds);
  rows.push(...(await apiOnly(seconds, hello)));
  rows.push(...(await pipeline(seconds, hello)));
  rows.push(...(await usage(seconds)));
} finally {
  await killAll();
}
console.log(`\nBenchmarks on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, ${seconds} s per figure, wrk -t1 -c32:\n`);
printTable(rows);
