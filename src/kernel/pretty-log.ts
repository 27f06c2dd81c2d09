import type { LogLevel } from './logger.ts';

const COLORS: Record<LogLevel, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** A field value on one line: strings bare when they have no spaces, anything else as JSON. */
const show = (value: unknown) => (typeof value === 'string' && /^\S+$/.test(value) ? value : JSON.stringify(value));

/**
 * One JSON log line made readable for a terminal: `15:04:05.123 INFO  msg key=value …`, the level
 * coloured when `color`. A line that is not a JSON object is returned as it is.
 */
export function prettyLogLine(line: string, color = true): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, ...fields } = entry;
  const lvl = (typeof level === 'string' && level in COLORS ? level : 'info') as LogLevel;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const rest = Object.entries(fields).map(([k, v]) => `${k}=${show(v)}`).join(' ');
  const tag = lvl.toUpperCase().padEnd(5);
  return color
    ? `${DIM}${clock}${RESET} ${COLORS[lvl]}${tag}${RESET} ${String(msg ?? '')}${rest ? ` ${DIM}${rest}${RESET}` : ''}`
    : `${clock} ${tag} ${String(msg ?? '')}${rest ? ` ${rest}` : ''}`;
}
