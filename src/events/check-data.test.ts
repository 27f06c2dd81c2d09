import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { catalog } from './catalog.ts';
import { parseEventData } from './check-data.ts';

const iso = '2026-12-08T01:00:00.000Z';
const recorded = {
  id: 'u-1',
  subscription_id: 'sub_1',
  customer_id: 'cus_1',
  model: 'gpt-x',
  tokens: 100,
  token_type: 'input',
  occurred_at: iso,
  period_start: iso,
  overage_tokens: 0,
  recorded_at: iso,
};
const usageEvent = { id: 'm-1', subscription_id: 'sub_1', customer_id: 'cus_1', model: '', tokens: 3, meter: 'api_calls', properties: { calls: 3, region: 'eu' }, occurred_at: iso, period_start: iso, overage_tokens: 0, recorded_at: iso };

/** What `v.safeParse` answers, as the outbox would store and report it: the data's JSON (its key order too) or the first issue's message. */
const outcome = (result: v.SafeParseResult<v.GenericSchema>) => (result.success ? { stored: JSON.stringify(result.output) } : { error: result.issues[0].message });

describe('parseEventData', () => {
  test('answers as v.safeParse does for usage.recorded, valid or not, however often a value repeats', () => {
    const schema = catalog['usage.recorded'];
    const variants: unknown[] = [
      recorded,
      usageEvent,
      { ...recorded, token_type: undefined },
      Object.fromEntries(Object.entries(recorded).reverse()), // another key order: stored in the schema's
      { ...recorded, extra: 'dropped' },
      { ...recorded, model: 'x'.repeat(101) },
      { ...recorded, model: 'two\nlines' },
      { ...recorded, tokens: -1 },
      { ...recorded, tokens: 1.5 },
      { ...recorded, tokens: Number.NaN },
      { ...recorded, tokens: -0 },
      { ...recorded, token_type: 'other' },
      { ...recorded, occurred_at: '2026-02-30T00:00:00.000Z' },
      { ...recorded, occurred_at: '+010000-01-01T00:00:00.000Z' },
      { ...recorded, id: '' },
      { ...recorded, id: '😀'.repeat(200) },
      { ...recorded, id: '😀'.repeat(201) },
      (({ customer_id: _, ...rest }) => rest)(recorded),
      { ...usageEvent, properties: { calls: 'x', ok: true } },
      { ...usageEvent, properties: { constructor: 1, calls: 2 } },
      { ...recorded, subscription_id: null },
      'not an object',
      null,
    ];
    // Twice over, so the second pass meets every value already seen.
    for (const data of [...variants, ...variants, recorded]) {
      expect(outcome(parseEventData(schema, data))).toEqual(outcome(v.safeParse(schema, data)));
    }
  });

  test('answers as v.safeParse does for every event type of the catalog, on data of another type', () => {
    const samples = [recorded, usageEvent, { customer_id: 'cus_1' }, { subscription_id: 'sub_1', customer_id: 'cus_1', period_start: iso, included_tokens: 5, quota_policy: 'block' }, {}];
    for (const schema of Object.values(catalog)) {
      for (const data of [...samples, ...samples]) expect(outcome(parseEventData(schema, data))).toEqual(outcome(v.safeParse(schema, data)));
    }
  });

  test('remembers a bounded number of values per field: unique ids pass one after another as they would alone', () => {
    const schema = catalog['usage.recorded'];
    for (let i = 0; i < 2000; i++) {
      const data = { ...recorded, id: `u-${i}`, tokens: i + 1 };
      expect(outcome(parseEventData(schema, data))).toEqual(outcome(v.safeParse(schema, data)));
    }
  });
});
