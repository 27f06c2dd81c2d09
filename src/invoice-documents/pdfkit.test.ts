import { expect, test } from 'bun:test';
import { invoiceDocumentContent, type InvoiceFigures } from './content.ts';
import { renderInvoicePdf } from './pdfkit.ts';

const figures = (overrides: Partial<InvoiceFigures> = {}): InvoiceFigures => ({
  number: 'INV-000042',
  currency: 'EUR',
  finalizedAt: Date.UTC(2026, 4, 1),
  periodStart: Date.UTC(2026, 4, 1),
  periodEnd: Date.UTC(2026, 5, 1),
  subtotal: 2900,
  taxRateBps: 0,
  tax: 0,
  total: 2900,
  creditApplied: 0,
  walletApplied: 0,
  amountDue: 2900,
  voided: false,
  lines: [{ description: 'Starter', quantity: 1, amount: 2900 }],
  customer: { name: 'Acme', email: null, country: null, address: [] },
  ...overrides,
});
const render = (f: InvoiceFigures) => renderInvoicePdf(invoiceDocumentContent(f, { name: 'Seller', address: [] }, 'en-US'));

/** pdftotext's reading of a PDF (poppler, a real PDF tool). */
async function textOf(bytes: Uint8Array): Promise<{ text: string; pages: number }> {
  const run = Bun.spawn(['pdftotext', '-layout', '-', '-'], { stdin: bytes, stdout: 'pipe' });
  const text = await new Response(run.stdout).text();
  expect(await run.exited).toBe(0);
  return { text, pages: text.split('\f').filter((page) => page.trim()).length };
}

test('the same invoice renders the same bytes (the creation date is the finalization, not the wall clock)', async () => {
  const [a, b] = [await render(figures()), await render(figures())];
  expect(a.contentType).toBe('application/pdf');
  expect(new TextDecoder().decode(a.bytes.slice(0, 5))).toBe('%PDF-');
  expect(a.bytes).toEqual(b.bytes);
});

test('many lines flow onto further pages, each with the column headers, and the totals follow the last line', async () => {
  const lines = Array.from({ length: 80 }, (_, i) => ({ description: `Usage line ${i + 1}`, quantity: 1, amount: 100 }));
  const { text, pages } = await textOf((await render(figures({ lines, subtotal: 8000, total: 8000, amountDue: 8000 }))).bytes);
  expect(pages).toBeGreaterThan(1);
  expect(text.match(/Description\s+Quantity\s+Amount/g)?.length).toBe(pages);
  for (let i = 1; i <= 80; i++) expect(text).toContain(`Usage line ${i} `);
  expect(text.lastIndexOf('Amount due')).toBeGreaterThan(text.indexOf('Usage line 80 '));
  expect(text).toMatch(/Amount due\s+€80\.00/);
});

test('a voided invoice carries the VOID stamp; an open one does not', async () => {
  expect((await textOf((await render(figures())).bytes)).text).not.toContain('VOID');
  expect((await textOf((await render(figures({ voided: true }))).bytes)).text).toContain('VOID');
});
