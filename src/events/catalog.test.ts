import { describe, expect, test } from 'bun:test';
import { readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as v from 'valibot';
import { catalog, eventTypes, parseEvent } from './catalog.ts';

const SRC = resolve(import.meta.dir, '..');

/** Every domain's declared event schemas: `src/<domain>/events.ts`, each export `…Events`. */
async function declared(): Promise<{ file: string; type: string; schema: unknown }[]> {
  const files = readdirSync(SRC)
    .filter((name) => name !== 'events' && existsSync(join(SRC, name, 'events.ts')))
    .map((name) => `src/${name}/events.ts`);
  const found: { file: string; type: string; schema: unknown }[] = [];
  for (const file of files) {
    const module = (await import(resolve(SRC, '..', file))) as Record<string, unknown>;
    for (const [name, group] of Object.entries(module)) {
      if (!name.endsWith('Events')) continue;
      for (const [type, schema] of Object.entries(group as Record<string, unknown>)) found.push({ file, type, schema });
    }
  }
  return found;
}

describe('the event catalog', () => {
  test("gathers every domain's events.ts: each type declared once, by one domain, under its own schema", async () => {
    const all = await declared();
    expect(new Set(all.map((d) => d.file)).size).toBeGreaterThan(10);
    const twice = all.filter((d, i) => all.findIndex((e) => e.type === d.type) !== i).map((d) => `${d.type} (${d.file})`);
    expect(twice).toEqual([]);
    const missing = all.filter((d) => catalog[d.type as keyof typeof catalog] !== d.schema).map((d) => `${d.type} (${d.file})`);
    expect(missing).toEqual([]);
    expect(all.map((d) => d.type).sort()).toEqual([...eventTypes].sort());
  });

  test('an event of a known type is parsed by its schema; an unknown type or invalid data is a reason', () => {
    const envelope = { specversion: '1.0', id: 'evt_1', source: 'urn:test', type: 'customer.erased', subject: 'cus_1', time: '2026-01-01T00:00:00.000Z' };
    expect(parseEvent({ ...envelope, data: { customer_id: 'cus_1' } })).toMatchObject({ ok: true, event: { type: 'customer.erased', sequence: 0, data: { customer_id: 'cus_1' } } });
    expect(parseEvent({ ...envelope, type: 'customer.vanished', data: {} })).toEqual({ ok: false, reason: 'unknown event type customer.vanished' });
    expect(parseEvent({ ...envelope, data: {} })).toMatchObject({ ok: false, reason: expect.stringContaining('invalid customer.erased data: customer_id') });
    expect(v.is(catalog['customer.erased'], { customer_id: 'cus_1' })).toBe(true);
  });
});
