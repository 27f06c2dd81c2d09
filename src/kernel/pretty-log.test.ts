import { expect, test } from 'bun:test';
import { prettyLogLine } from './pretty-log.ts';

test('a JSON log line becomes time, level, message and key=value fields; other lines pass through', () => {
  const line = JSON.stringify({ level: 'warn', time: '2026-11-30T15:04:05.123Z', msg: 'billing: retry', id: 'inv_1', error: { code: 'x' }, note: 'two words' });
  expect(prettyLogLine(line, false)).toBe('15:04:05.123 WARN  billing: retry id=inv_1 error={"code":"x"} note="two words"');
  expect(prettyLogLine(line)).toContain('\x1b[33mWARN');
  expect(prettyLogLine('Subscription Platform running', false)).toBe('Subscription Platform running');
  expect(prettyLogLine('[1,2]', false)).toBe('[1,2]');
});
