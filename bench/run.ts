import { killAll } from '../test/processes.ts';
import { apiOnly, helloCeiling, onboardNormal } from './http.ts';
import { kafkaRelay } from './kafka.ts';
import { printTable, type Row } from './lib/report.ts';
import { requireWrk } from './lib/wrk.ts';
import { pipeline } from './pipeline.ts';
import { scale } from './scale.ts';
import { usage } from './usage.ts';
import { usageRead } from './usage-read.ts';

// `npm run bench [seconds]`: every figure next to a ceiling measured in this same run.
// With KAFKA_BROKERS set (`bash scripts/kafka.sh start`), the Kafka figures run too.
const seconds = Number(process.argv[2] ?? process.env.BENCH_SECONDS ?? 8);
const brokers = process.env.KAFKA_BROKERS;
requireWrk();
const rows: Row[] = [];
try {
  const hello = await helloCeiling(seconds);
  rows.push(...(await apiOnly(seconds, hello)));
  rows.push(...(await onboardNormal(seconds, hello)));
  rows.push(...(await pipeline(seconds, hello)));
  if (brokers) rows.push(...(await pipeline(seconds, hello, { BUS: 'kafka', KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: `bench-${Date.now()}-` }, 'Kafka')));
  rows.push(...(await kafkaRelay()));
  rows.push(...(await usage(seconds)));
  rows.push(...(await usageRead()));
  rows.push(...(await scale(Math.max(3, Math.round(seconds / 2)))));
} finally {
  await killAll();
}
console.log(`\nBenchmarks on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, ${seconds} s per figure, wrk -t1 -c32:\n`);
printTable(rows);
process.exit(0);
