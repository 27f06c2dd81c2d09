import * as v from 'valibot';

/**
 * The one rule for single-line text people type (names, descriptions, labels): no C0
 * controls (U+0000–U+001F, which includes NUL, tab and line breaks), no DEL (U+007F)
 * and no C1 controls (U+0080–U+009F). Everything else is kept as sent.
 *
 * Refused rather than stripped: a NUL used to cut the stored text short without a word
 * (`Nul\u0000Corp` became `Nul`). Put it before `v.trim()` so a trailing line break is
 * refused too, not silently trimmed.
 */
export const singleLine = v.regex(/^[^\u0000-\u001f\u007f-\u009f]*$/u, 'must not contain control characters (NUL, tab, line breaks, DEL, C1 controls)');

/** The length JSON Schema's `minLength`/`maxLength` mean: code points (`String#length` counts UTF-16 units, two for an emoji). */
export const codePoints = (text: string): number => [...text].length;

/**
 * At most `max` characters as JSON Schema counts them (code points), for a string pipe:
 * `v.pipe(v.string(), …maxChars(200))`. `v.maxLength` counts UTF-16 units, so 150 emoji (300
 * units) would be refused although the document's `maxLength: 200` allows them.
 */
export const maxChars = (max: number, message = `must be at most ${max} characters`) =>
  [v.check((text: string) => codePoints(text) <= max, message), v.metadata<string, { maxLength: number }>({ maxLength: max })] as const;
