import type { MiddlewareHandler } from 'hono';
import { validationError, type FieldIssue } from '../kernel/errors.ts';
import type { AppEnv } from './env.ts';
import { fieldAt } from './json-duplicates.ts';

/** What counts as JSON: `application/json` and `application/<anything>+json`, with or without parameters. */
export const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** A UTF-16 surrogate that is not half of a pair: what a JSON `\ud800` escape leaves in a string. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const LONE_SURROGATE_MESSAGE = 'must be valid Unicode text: it has a lone surrogate (a \\ud800–\\udfff escape that is not half of a pair)';
const NOT_UTF8_MESSAGE = 'must be valid UTF-8 (a percent-encoded byte sequence here is not)';

/** The offset of the first byte of `bytes` that starts no valid UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF), or -1. */
export function invalidUtf8At(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    // The second byte's range rules out overlong forms, surrogates (ED A0–BF) and code points past U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    const second = bytes[i + 1];
    if (second === undefined || second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}

/**
 * Refuses a JSON request body that is not UTF-8 with a 400 naming the field the bad
 * byte is in. Runs before anything reads the body: `c.req.text()` decodes leniently, so
 * a byte like 0xC3 0x28 would otherwise reach validation, and the database, as U+FFFD.
 * Later readers get the text from the bytes read here (Hono keeps them).
 */
export function requireUtf8Body(): MiddlewareHandler<AppEnv> {
  return async function requireUtf8(c, next) {
    const mediaType = c.req.header('Content-Type')?.split(';')[0]!.trim() ?? '';
    if (c.req.raw.body === null || !JSON_TYPE.test(mediaType)) return next();
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    try {
      strict.decode(bytes);
    } catch {
      const at = invalidUtf8At(bytes);
      const field = fieldAt(lenient.decode(bytes.subarray(0, at))) || 'body';
      const byte = bytes[at]!.toString(16).toUpperCase().padStart(2, '0');
      throw validationError([{ field, message: `must be valid UTF-8; the byte 0x${byte} at offset ${at} starts no character` }]);
    }
    await next();
  };
}

/** A surrogate escape (`\ud800`–`\udfff`) or a surrogate code unit, paired or not. */
const SURROGATE_IN_TEXT = /\\u[dD][89a-fA-F]|[\uD800-\uDFFF]/;

/**
 * Whether the JSON text `text` may parse into strings or keys with a lone surrogate: only a
 * surrogate in the text (an escape, or the code unit itself) can put one there. False for most
 * bodies, which then need no walk over their parsed value (`loneSurrogatePaths`); true also for
 * paired surrogates and an escaped backslash before `ud800`, which the walk then clears.
 */
export const mayHoldLoneSurrogate = (text: string): boolean => SURROGATE_IN_TEXT.test(text);

/**
 * The paths (`name`, `records.0.model`) of the strings in a parsed JSON value that hold a lone
 * surrogate, and of the objects whose keys do; '' for the value itself.
 */
export function loneSurrogatePaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? [path] : [];
  if (typeof value !== 'object' || value === null) return [];
  const found: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) found.push(path);
    else found.push(...loneSurrogatePaths(inner, path ? `${path}.${key}` : key));
  }
  return found;
}

const decodes = (text: string) => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * The query parameters and path parameters of a URL whose percent-encoding is not UTF-8
 * (`?q=%C3%28`, `/customers/%FF`), one issue each. Hono keeps such a value as its raw
 * `%C3%28` text; refused here instead of searched for. `pattern` is the matched route's
 * path (`/v1/customers/:id`), whose `:name` segments name the path parameters.
 */
export function undecodableParams(url: string, pattern: string | undefined, target: 'query' | 'param'): FieldIssue[] {
  if (!url.includes('%')) return []; // the common case, without parsing the URL
  const { pathname, search } = new URL(url);
  const issues: FieldIssue[] = [];
  if (target === 'query') {
    for (const pair of search.slice(1).split('&')) {
      const [name = '', value = ''] = pair.split('=', 2).map((part) => part.replace(/\+/g, ' '));
      if (!decodes(name) || !decodes(value)) issues.push({ field: decodes(name) ? decodeURIComponent(name) : 'query', message: NOT_UTF8_MESSAGE });
    }
  } else if (pattern) {
    const names = pattern.split('/');
    pathname.split('/').forEach((segment, i) => {
      const name = names[i];
      if (name?.startsWith(':') && !decodes(segment)) issues.push({ field: name.slice(1).replace(/\{.*$/, ''), message: NOT_UTF8_MESSAGE });
    });
  }
  return issues;
}
