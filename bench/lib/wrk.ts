import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one wrk run measured. */
export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  requests: number;
}

export interface WrkOptions {
  seconds?: number;
  connections?: number;
  /** Lua that wrk runs (request builders); headers are set from `headers`. */
  lua?: string;
  headers?: Record<string, string>;
}

const unit = (value: string, suffix: string) => Number(value) * (suffix === 'us' ? 0.001 : suffix === 's' ? 1000 : suffix === 'm' ? 60_000 : 1);

function latency(output: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(output);
  return match ? unit(match[1]!, match[2]!) : NaN;
}

/** Runs wrk (one thread, as the product's own figures are per core) against a URL and parses its report. */
export async function wrk(url: string, options: WrkOptions = {}): Promise<WrkResult> {
  const { seconds = 5, connections = 32, lua = '', headers = {} } = options;
  const script = join(mkdtempSync(join(tmpdir(), 'bench-wrk-')), 'script.lua');
  const setHeaders = Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join('\n');
  writeFileSync(script, `${setHeaders}\n${lua}\n`);
  const proc = Bun.spawn(['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], { stdout: 'pipe', stderr: 'pipe' });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if ((await proc.exited) !== 0) throw new Error(`wrk failed: ${err || out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return { rps, p50Ms: latency(out, '50'), p99Ms: latency(out, '99'), non2xx, requests };
}

/** Fails loudly when wrk is missing: the figures would otherwise be empty. */
export function requireWrk(): void {
  if (!Bun.which('wrk')) throw new Error('wrk is not installed: run `bash bench/setup.sh` (installs it from Debian) first');
}
