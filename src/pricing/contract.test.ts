import { describe, expect, test } from 'bun:test';
import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { issueSentence } from '../http/messages.ts';
import { MAX_CHARGE } from '../kernel/money.ts';
import { chargeDefinition, unitPrice } from './contract.ts';
import { priceCharge } from './models.ts';

/** Each issue as the API will answer it (src/http/validate.ts): the dotted path and the sentence. */
function issues(schema: v.GenericSchema, input: unknown): { field: string; message: string }[] {
  const result = v.safeParse(schema, input, { message: issueSentence });
  return (result.issues ?? []).map((i) => ({ field: (i.path ?? []).map((p) => String(p.key)).join('.') || 'body', message: i.message }));
}

const PRICE_MESSAGE = 'must be a decimal number of minor units, e.g. "0.25", with at most 12 decimals (and at most 15 digits before the point)';

describe('a unit price', () => {
  test('is a decimal string of minor units with at most 12 decimals and 15 digits before the point', () => {
    for (const ok of ['0', '0.25', '0.00025', '7', '1500', '0.000000000001', '999999999999999.999999999999']) expect(issues(unitPrice, ok)).toEqual([]);
  });

  test('a negative, exponent, empty, 13-decimal, 16-digit or numeric price is refused, saying what is expected', () => {
    for (const bad of ['-1', '1e3', '', '.5', '5.', '0.0000000000001', '1000000000000000', ' 1', '1,5', 'NaN']) {
      expect(issues(unitPrice, bad)).toEqual([{ field: 'body', message: PRICE_MESSAGE }]);
    }
    expect(issues(unitPrice, 0.25)).toEqual([{ field: 'body', message: 'must be a decimal number of minor units as a string, e.g. "0.25"' }]);
  });
});

describe('a charge definition', () => {
  test('each model parses and prices', () => {
    const perUnit = v.parse(chargeDefinition, { model: 'per_unit', unit_price: '0.025', included_quantity: 1000, min_amount: 100, max_amount: 5000 });
    expect(priceCharge(perUnit, 101_000).amount).toBe(2500);
    const graduated = v.parse(chargeDefinition, { model: 'graduated', tiers: [{ up_to: 5, unit_price: '700' }, { up_to: 10, unit_price: '650' }, { up_to: null, unit_price: '600', flat_fee: '0' }] });
    expect(priceCharge(graduated, 6).amount).toBe(4150);
    const volume = v.parse(chargeDefinition, { model: 'volume', tiers: [{ up_to: null, unit_price: '1' }] });
    expect(priceCharge(volume, 3).amount).toBe(3);
    const pack = v.parse(chargeDefinition, { model: 'package', package_size: 100, package_price: '500', included_quantity: 100 });
    expect(priceCharge(pack, 201).amount).toBe(1000);
  });

  test('the model is one of the four, in the one wording', () => {
    expect(issues(chargeDefinition, { model: 'tiered', unit_price: '1' })).toEqual([{ field: 'model', message: 'must be one of per_unit, graduated, volume, package' }]);
    expect(issues(chargeDefinition, { unit_price: '1' })).toEqual([{ field: 'model', message: 'is required' }]);
  });

  test('every malformed field is reported at once, each by its path', () => {
    expect(
      issues(chargeDefinition, {
        model: 'graduated',
        tiers: [{ up_to: 0, unit_price: '-1' }, { up_to: 2.5, unit_price: '1', flat_fee: '0.1234567890123' }, { up_to: null, unit_price: 1 }],
        included_quantity: -1,
        min_amount: MAX_CHARGE + 1,
        colour: 'red',
      }),
    ).toEqual([
      { field: 'tiers.0.up_to', message: 'must be at least 1' },
      { field: 'tiers.0.unit_price', message: PRICE_MESSAGE },
      { field: 'tiers.1.up_to', message: 'must be a whole number of units' },
      { field: 'tiers.1.flat_fee', message: PRICE_MESSAGE },
      { field: 'tiers.2.unit_price', message: 'must be a decimal number of minor units as a string, e.g. "0.25"' },
      { field: 'included_quantity', message: 'must not be negative' },
      { field: 'min_amount', message: `must be at most ${MAX_CHARGE}` },
      { field: 'colour', message: 'is not a known field' },
    ]);
  });

  test('tiers strictly increase, only the last is open-ended, and every tier breaking a rule is named at once', () => {
    expect(
      issues(chargeDefinition, {
        model: 'volume',
        tiers: [{ up_to: 10, unit_price: '1' }, { up_to: null, unit_price: '1' }, { up_to: 10, unit_price: '1' }, { up_to: 5, unit_price: '1' }],
      }),
    ).toEqual([
      { field: 'tiers.1.up_to', message: 'may be null only on the last tier' },
      { field: 'tiers.2.up_to', message: "must be greater than the previous tier's up_to (10)" },
      { field: 'tiers.3.up_to', message: 'must be null: the last tier is open-ended' },
      { field: 'tiers.3.up_to', message: "must be greater than the previous tier's up_to (10)" },
    ]);
    expect(issues(chargeDefinition, { model: 'graduated', tiers: [] })).toEqual([{ field: 'tiers', message: 'must have at least 1 tier' }]);
  });

  test("a model's own fields are required and another model's are refused; a package holds at least one unit; min ≤ max", () => {
    expect(issues(chargeDefinition, { model: 'package', unit_price: '1', min_amount: 10, max_amount: 5 })).toEqual([
      { field: 'unit_price', message: 'is not a field of a package charge' },
      { field: 'package_size', message: 'is required for a package charge' },
      { field: 'package_price', message: 'is required for a package charge' },
      { field: 'min_amount', message: 'must not be more than max_amount (5)' },
    ]);
    expect(issues(chargeDefinition, { model: 'package', package_size: 0, package_price: '1' })).toEqual([{ field: 'package_size', message: 'must be at least 1' }]);
    expect(issues(chargeDefinition, { model: 'per_unit' })).toEqual([{ field: 'unit_price', message: 'is required for a per_unit charge' }]);
    expect(issues(chargeDefinition, { model: 'per_unit', unit_price: '1', min_amount: 5, max_amount: 5 })).toEqual([]);
  });
});

describe('the API document', () => {
  test('shows the model list and the price pattern, so a client sees what is accepted', () => {
    const schema = toJsonSchema(chargeDefinition, { errorMode: 'ignore' }) as { properties: Record<string, unknown> };
    expect(schema.properties.model).toEqual({ enum: ['per_unit', 'graduated', 'volume', 'package'], type: 'string' });
    expect(schema.properties.unit_price).toEqual({ type: 'string', pattern: '^\\d{1,15}(?:\\.\\d{1,12})?$' });
  });
});
