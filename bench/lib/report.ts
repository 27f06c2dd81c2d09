/** One line of the benchmark table: a figure next to the ceiling measured in the same run. */
export interface Row {
  name: string;
  figure: number;
  unit: string;
  ceilingName: string;
  ceiling: number;
  /** The target ratio from the performance issue, when there is one (figure ÷ ceiling at least this). */
  target?: number;
  /** For latencies: the ratio must stay at or below this. */
  atMost?: number;
  note?: string;
}

const fmt = (n: number) => (Number.isFinite(n) ? (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)) : '—');

/** Prints rows as a Markdown table (pasteable into the README) with ratio and target. */
export function printTable(rows: Row[]): void {
  console.log('| benchmark | figure | ceiling (same run) | ratio | target |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.figure / r.ceiling;
    const target =
      r.target !== undefined ? `≥ ${r.target}× ${ratio >= r.target ? 'met' : 'NOT met'}`
      : r.atMost !== undefined ? `≤ ${r.atMost}× ${ratio <= r.atMost ? 'met' : 'NOT met'}`
      : '';
    const note = r.note ? ` (${r.note})` : '';
    console.log(`| ${r.name} | ${fmt(r.figure)} ${r.unit}${note} | ${r.ceilingName} ${fmt(r.ceiling)} | ${ratio.toFixed(3)}× | ${target} |`);
  }
}

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
