/** Structured logger: one JSON object a line. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

/** A logger writing JSON lines to the console; `silent` drops everything (tests). */
export function createLogger(options: { silent?: boolean; base?: Record<string, unknown> } = {}): Logger {
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (options.silent) return;
    const line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...options.base, ...fields });
    if (level === 'info') console.log(line);
    else console.error(line);
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
