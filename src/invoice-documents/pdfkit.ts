import PDFDocument from 'pdfkit';
import type { InvoiceDocumentContent } from './content.ts';
import type { InvoiceRenderer } from './renderer.ts';

const LEFT = 50;
const RIGHT = 545;
const QTY = { x: 330, width: 80 };
const AMOUNT = { x: 415, width: RIGHT - 415 };
const DESCRIPTION = { x: LEFT, width: QTY.x - LEFT - 10 };
const BOTTOM = 770;
const DETAIL_HEIGHT = 11;

/**
 * The PDF adapter, on pdfkit with its standard Helvetica (WinAnsi: Latin scripts, €, £, ¥;
 * no embedded font, so other scripts do not print). Server runtimes only: pdfkit reads its
 * font metrics from files, so this module must never enter the Workers graph.
 */
export const renderInvoicePdf: InvoiceRenderer = (content) =>
  new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: LEFT, bufferPages: true, info: { Title: `Invoice ${content.number}`, Author: content.issuer.name, CreationDate: new Date(content.issuedAt) } });
    const chunks: Uint8Array[] = [];
    doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    doc.on('error', reject);
    doc.on('end', () => {
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      resolve({ contentType: 'application/pdf', bytes });
    });
    try {
      layOut(doc, content);
      doc.end();
    } catch (error) {
      reject(error);
    }
  });

function layOut(doc: PDFKit.PDFDocument, content: InvoiceDocumentContent) {
  doc.font('Helvetica-Bold').fontSize(16).text(content.issuer.name, LEFT, 50);
  doc.font('Helvetica').fontSize(9);
  for (const line of content.issuer.address) doc.text(line);
  doc.font('Helvetica-Bold').fontSize(22).text('INVOICE', LEFT, 50, { width: RIGHT - LEFT, align: 'right' });

  let y = 130;
  doc.fontSize(10);
  for (const [label, value] of content.facts) {
    doc.font('Helvetica').text(label, LEFT, y, { width: 100 });
    doc.font('Helvetica-Bold').text(value, LEFT + 100, y, { width: 200 });
    y += 15;
  }
  doc.font('Helvetica-Bold').text('Bill to', 330, 130);
  doc.font('Helvetica');
  for (const line of content.billTo) doc.text(line, 330, undefined, { width: RIGHT - 330 });
  y = Math.max(y, doc.y) + 25;

  const header = () => {
    doc.font('Helvetica-Bold').fontSize(10);
    doc.text('Description', DESCRIPTION.x, y, { width: DESCRIPTION.width });
    doc.text('Quantity', QTY.x, y, { width: QTY.width, align: 'right' });
    doc.text('Amount', AMOUNT.x, y, { width: AMOUNT.width, align: 'right' });
    y += 15;
    doc.moveTo(LEFT, y).lineTo(RIGHT, y).lineWidth(0.5).stroke();
    y += 6;
    doc.font('Helvetica');
  };
  header();
  for (const line of content.lines) {
    const details = [...(line.unitPrice ? [`Unit price: ${line.unitPrice}`] : []), ...(line.breakdown ?? [])];
    const height = doc.heightOfString(line.description, { width: DESCRIPTION.width });
    if (y + height + details.length * DETAIL_HEIGHT > BOTTOM) {
      doc.addPage();
      y = 50;
      header();
    }
    doc.text(line.description, DESCRIPTION.x, y, { width: DESCRIPTION.width });
    doc.text(line.quantity, QTY.x, y, { width: QTY.width, align: 'right' });
    doc.text(line.amount, AMOUNT.x, y, { width: AMOUNT.width, align: 'right' });
    y += Math.max(height, 12) + 6;
    // A usage charge's unit price and tiers, smaller, under its line (other lines have none).
    if (details.length > 0) {
      doc.fontSize(8);
      for (const detail of details) {
        doc.text(detail, DESCRIPTION.x + 10, y, { width: RIGHT - DESCRIPTION.x - 10 });
        y += DETAIL_HEIGHT;
      }
      doc.fontSize(10);
      y += 4;
    }
  }
  doc.moveTo(LEFT, y).lineTo(RIGHT, y).lineWidth(0.5).stroke();
  y += 10;
  if (y + content.totals.length * 16 > BOTTOM) {
    doc.addPage();
    y = 50;
  }
  for (const total of content.totals) {
    doc.font(total.strong ? 'Helvetica-Bold' : 'Helvetica');
    doc.text(total.label, 300, y, { width: 110, align: 'right' });
    doc.text(total.value, AMOUNT.x, y, { width: AMOUNT.width, align: 'right' });
    y += 16;
  }

  if (content.voided) stampVoid(doc);
}

/** A large, pale VOID across the middle of every page: the document stays, but nobody pays from it. */
function stampVoid(doc: PDFKit.PDFDocument) {
  const range = doc.bufferedPageRange();
  for (let page = range.start; page < range.start + range.count; page++) {
    doc.switchToPage(page);
    doc.save();
    doc.font('Helvetica-Bold').fontSize(140).fillColor('#c62828', 0.25).text('VOID', LEFT, 430, { width: RIGHT - LEFT, align: 'center', lineBreak: false });
    doc.restore();
  }
}
