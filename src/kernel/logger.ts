/** Structured logger: one JSON object a line. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Log levels from the most to the least verbose (LOG_LEVEL). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Drops everything (tests, LOG_SILENT). */
  silent?: boolean;
  /** Lines below this level are dropped; `info` by default. */
  level?: LogLevel;
  /** Fields every line carries. */
  base?: Record<string, unknown>;
  /** Where a line goes; debug and info to stdout, warn and error to stderr by default. */
  write?: (level: LogLevel, line: string) => void;
}

const toConsole = (level: LogLevel, line: string) => (level === 'debug' || level === 'info' ? console.log(line) : console.error(line));

/** A logger whose every line also carries `fields` (a line's own fields win). */
export function withLogFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (msg, more) => logger.debug(msg, { ...fields, ...more }),
    info: (msg, more) => logger.info(msg, { ...fields, ...more }),
    warn: (msg, more) => logger.warn(msg, { ...fields, ...more }),
    error: (msg, more) => logger.error(msg, { ...fields, ...more }),
  };
}

/** A logger writing JSON lines to the console. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const out = options.write ?? toConsole;
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (options.silent || LOG_LEVELS.indexOf(level) < threshold) return;
    out(level, JSON.stringify({ level, time: new Date().toISOString(), msg, ...options.base, ...fields }));
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
