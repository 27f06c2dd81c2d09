import type * as v from 'valibot';
import { mustBeOneOf } from '../kernel/one-of.ts';

type Issue = v.BaseIssue<unknown>;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  bigint: 'an integer',
  boolean: 'true or false',
  null: 'null',
  undefined: 'absent',
  Object: 'an object',
  Array: 'an array',
  Date: 'a date',
};

/** The options of `"sme" | "enterprise"` or `(string | boolean)`. */
const optionsOf = (expected: string | null) => (expected ?? '').replace(/^\((.*)\)$/s, '$1').split(' | ');

/** `(string | number | boolean)` in words: `a string, a number or a boolean`. */
function alternatives(expected: string | null): string {
  const options = optionsOf(expected);
  if (options.length === 1) return TYPE_NAMES[options[0]!] ?? options[0]!;
  const words = options.map((o) => (o === 'boolean' ? 'a boolean' : (TYPE_NAMES[o] ?? o)));
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

const size = (issue: Issue, word: 'at least' | 'at most' | 'exactly') => {
  const n = issue.requirement as number;
  return typeof issue.input === 'string' ? `must be ${word} ${n} ${n === 1 ? 'character' : 'characters'}` : `must have ${word} ${n} ${n === 1 ? 'item' : 'items'}`;
};

const VALIDATIONS: Record<string, (issue: Issue) => string> = {
  min_length: (i) => size(i, 'at least'),
  max_length: (i) => size(i, 'at most'),
  length: (i) => size(i, 'exactly'),
  non_empty: () => 'must not be empty',
  min_value: (i) => `must be at least ${i.requirement}`,
  max_value: (i) => `must be at most ${i.requirement}`,
  gt_value: (i) => `must be greater than ${i.requirement}`,
  lt_value: (i) => `must be less than ${i.requirement}`,
  value: (i) => `must be ${i.requirement}`,
  integer: () => 'must be a whole number',
  safe_integer: () => 'must be a whole number',
  finite: () => 'must be a finite number',
  digits: () => 'must be a whole number',
  email: () => 'must be an email address',
  rfc_email: () => 'must be an email address',
  url: () => 'must be a URL',
  uuid: () => 'must be a UUID',
  iso_timestamp: () => 'must be an ISO 8601 timestamp',
  iso_date_time: () => 'must be an ISO 8601 date and time',
  iso_date: () => 'must be an ISO 8601 date (YYYY-MM-DD)',
  regex: () => 'is not in the expected format',
  starts_with: (i) => `must start with ${JSON.stringify(i.requirement)}`,
  ends_with: (i) => `must end with ${JSON.stringify(i.requirement)}`,
  includes: (i) => `must include ${JSON.stringify(i.requirement)}`,
};

/** The sentence for an issue of a schema (a type or shape mismatch). */
function schemaSentence(issue: Issue): string {
  if (issue.expected === 'never') return 'is not a known field';
  if (issue.received === 'undefined') return 'is required';
  switch (issue.type) {
    case 'object':
    case 'strict_object':
    case 'loose_object':
    case 'object_with_rest':
    case 'record':
      return 'must be an object';
    case 'array':
    case 'tuple':
    case 'strict_tuple':
    case 'loose_tuple':
      return 'must be an array';
    case 'picklist':
    case 'enum':
      return mustBeOneOf(optionsOf(issue.expected));
    default:
      return issue.expected ? `must be ${alternatives(issue.expected)}` : 'has the wrong type';
  }
}

/**
 * valibot's default message for an issue, as a sentence about the field
 * (`must be at most 100`, `is required`, `is not a known field`) instead of
 * `Invalid length: Expected <=100 but received 101`. Passed as the parse's
 * `message`, so a schema's own messages still win.
 */
export function issueSentence(issue: Issue): string {
  if (issue.kind === 'schema') return schemaSentence(issue);
  return VALIDATIONS[issue.type]?.(issue) ?? 'is not valid';
}
