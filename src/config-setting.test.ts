import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { ConfigError, readTree, setting, settingsOf } from './config-setting.ts';

const count = v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number));

describe('setting', () => {
  test('the default goes through the schema and the conversion like a value that was set', () => {
    const windowMs = setting('WINDOW_SECONDS', count, '90', 'a window', (seconds) => seconds * 1000);
    expect(windowMs.read(undefined)).toEqual({ ok: true, value: 90_000 });
    expect(windowMs.read('2')).toEqual({ ok: true, value: 2000 });
    expect(windowMs.read('soon')).toEqual({ ok: false, message: 'must be a whole number' });
  });

  test('without a default, unset is undefined, or what the conversion makes of it', () => {
    expect(setting('TOKEN', v.string(), undefined, 'a token').read(undefined)).toEqual({ ok: true, value: undefined });
    expect(setting('HOSTS', v.string(), undefined, 'hosts', (hosts) => hosts?.split(',') ?? []).read(undefined)).toEqual({ ok: true, value: [] });
  });

  test('a fixed list of values is known for the reference', () => {
    expect(setting('MODE', v.picklist(['a', 'b']), 'a', 'a mode').values).toEqual(['a', 'b']);
    expect(setting('COUNT', count, '1', 'a count').values).toBeUndefined();
  });
});

describe('readTree', () => {
  const prefix = setting('PREFIX', v.string(), 'p-', 'a prefix');
  const tree = { port: setting('PORT', count, '3000', 'a port'), kafka: { prefix }, rest: { prefix, limit: setting('LIMIT', count, '5', 'a limit') } };

  test('reads values into the shape of the tree; a setting landing twice is listed once', () => {
    expect(readTree(tree, { PREFIX: 'x-', LIMIT: '7' })).toEqual({ port: 3000, kafka: { prefix: 'x-' }, rest: { prefix: 'x-', limit: 7 } });
    expect(settingsOf(tree).map((declared) => declared.variable)).toEqual(['PORT', 'PREFIX', 'LIMIT']);
  });

  test('a refused value throws a ConfigError naming the first such variable in the order declared', () => {
    let thrown: unknown;
    try {
      readTree(tree, { LIMIT: 'many', PORT: 'eighty' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ variable: 'PORT', message: 'PORT must be a whole number' });
  });
});
