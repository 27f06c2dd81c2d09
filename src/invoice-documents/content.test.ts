import { describe, expect, test } from 'bun:test';
import { formatAmount, formatRate, formatUnitPrice, invoiceDocumentContent, usageLineDetails } from './content.ts';

describe('formatAmount', () => {
  test("writes minor units with exactly the currency's ISO 4217 digits", () => {
    expect(formatAmount(123456, 'EUR', 'en-US')).toBe('€1,234.56');
    expect(formatAmount(5, 'EUR', 'en-US')).toBe('€0.05');
    expect(formatAmount(-1000, 'EUR', 'en-US')).toBe('-€10.00');
    expect(formatAmount(12345, 'JPY', 'en-US')).toBe('¥12,345');
    expect(formatAmount(1234, 'KWD', 'en-US')).toBe('KWD\u00a01.234');
    expect(formatAmount(0, 'USD', 'en-US')).toBe('$0.00');
  });

  test('never goes through a float: the largest safe integer keeps every digit', () => {
    expect(formatAmount(Number.MAX_SAFE_INTEGER, 'EUR', 'en-US')).toBe('€90,071,992,547,409.91');
  });

  test("follows the locale's conventions, with no narrow no-break space (absent from the PDF fonts)", () => {
    const german = formatAmount(123456, 'EUR', 'de-DE');
    expect(german).toBe('1.234,56\u00a0€');
    expect(formatAmount(123456, 'EUR', 'fr-FR')).not.toContain('\u202f');
  });
});

test('formatRate writes basis points as a percentage without trailing zeros', () => {
  expect([0, 700, 1900, 825, 1950, 5].map(formatRate)).toEqual(['0%', '7%', '19%', '8.25%', '19.5%', '0.05%']);
});

test('the content lists every line and the totals in order, the credit as a deduction', () => {
  const content = invoiceDocumentContent(
    {
      number: 'INV-000007',
      currency: 'EUR',
      finalizedAt: Date.UTC(2026, 1, 1),
      periodStart: Date.UTC(2026, 1, 1),
      periodEnd: Date.UTC(2026, 2, 1),
      subtotal: 3400,
      taxRateBps: 1900,
      tax: 646,
      total: 4046,
      creditApplied: 1000,
      walletApplied: 0,
      amountDue: 3046,
      voided: false,
      lines: [
        { description: 'Starter', quantity: 1, amount: 2900 },
        { description: 'Overage', quantity: 2500, amount: 500 },
      ],
      customer: { name: 'Acme', email: 'ops@acme.example', country: 'DE', address: ['Am Hafen 7'] },
    },
    { name: 'Seller', address: [] },
    'en-US',
  );
  expect(content.billTo).toEqual(['Acme', 'Am Hafen 7', 'DE', 'ops@acme.example']);
  expect(content.lines).toEqual([
    { description: 'Starter', quantity: '1', amount: '€29.00' },
    { description: 'Overage', quantity: '2,500', amount: '€5.00' },
  ]);
  expect(content.totals.map((t) => `${t.label}: ${t.value}`)).toEqual(['Subtotal: €34.00', 'Tax (19%): €6.46', 'Total: €40.46', 'Credit applied: -€10.00', 'Amount due: €30.46']);
  expect(content.facts).toContainEqual(['Period', '2026-02-01 to 2026-03-01']);
});

test('what the wallet paid is its own line between the credit and the amount due', () => {
  const content = invoiceDocumentContent(
    {
      number: 'INV-000008', currency: 'EUR', finalizedAt: Date.UTC(2026, 1, 1), periodStart: Date.UTC(2026, 1, 1), periodEnd: Date.UTC(2026, 2, 1),
      subtotal: 9900, taxRateBps: 1900, tax: 1881, total: 11781, creditApplied: 0, walletApplied: 10000, amountDue: 1781, voided: false,
      lines: [{ description: 'Pro', quantity: 1, amount: 9900 }],
      customer: { name: 'Acme', email: null, country: null, address: [] },
    },
    { name: 'Seller', address: [] },
    'en-US',
  );
  expect(content.totals.map((t) => `${t.label}: ${t.value}`)).toEqual(['Subtotal: €99.00', 'Tax (19%): €18.81', 'Total: €117.81', 'Credit applied: €0.00', 'Paid from wallet: -€100.00', 'Amount due: €17.81']);
});

test('a usage price prints in major units with every digit it has, never rounded', () => {
  expect(formatUnitPrice('0.00025', 'USD')).toBe('0.0000025 USD');
  expect(formatUnitPrice('2000', 'EUR')).toBe('20.00 EUR');
  expect(formatUnitPrice('0', 'EUR')).toBe('0.00 EUR');
  expect(formatUnitPrice('3.5', 'JPY')).toBe('3.5 JPY');
  expect(formatUnitPrice('12', 'JPY')).toBe('12 JPY');
  expect(formatUnitPrice('1.5', 'KWD')).toBe('0.0015 KWD');
});

test('a usage charge line shows its unit price, its included units and its packages; other lines show nothing more', () => {
  const pricing = { model: 'package', included_quantity: 100, billable_quantity: 101, tiers: [{ tier: 1, first_unit: 1, last_unit: null, units: 101, unit_price: '500', package_size: 100, packages: 2, flat_fee: '0', amount: '1000' }], subtotal: '1000' };
  expect(usageLineDetails({ unitPrice: '500', pricing }, 'USD', 'en-US')).toEqual({
    unitPrice: '5.00 USD',
    breakdown: ['Included: 100 units; billable: 101', '2 packages of 100 × 5.00 USD'],
  });
  expect(usageLineDetails({ unitPrice: null, pricing: null }, 'USD', 'en-US')).toEqual({});
  expect(usageLineDetails({}, 'USD', 'en-US')).toEqual({});
});
