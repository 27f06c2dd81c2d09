import { describe, expect, test } from 'bun:test';
import type { Page } from '../../db/paging.ts';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { Problem } from '../../src/http/problem.ts';
import { customerBody, expectInvalid, expectProblem, tag } from './client.ts';
import type { Session } from './session.ts';

/** One rule for every request: JSON bodies, known keys, named fields, problem+json for every error. */
export function validationContract(s: Session) {
  describe('validation and problem+json', () => {
    test('bad fields are a 400 problem naming each field; nothing is created', async () => {
      const email = `not-an-email-${tag()}`;
      const res = await s.api.call('POST', '/v1/customers', { body: { email, kind: 'planet', country: 'DE' } });
      expectInvalid(res, ['email', 'kind', 'name']);
      expect(res.body.errors!.every((e) => typeof e.message === 'string' && e.message.length > 0)).toBe(true);
      expect(res.body.instance).toBe('/v1/customers');
    });

    test('an unknown key and a repeated key are refused, naming the key', async () => {
      const unknown = await s.api.call('POST', '/v1/customers', { body: customerBody({ favourite_colour: 'teal' }) });
      expectInvalid(unknown, ['favourite_colour']);
      expect(unknown.body.errors![0]!.message).toBe('is not a known field');
      const body = JSON.stringify(customerBody()).replace(/}$/, ',"kind":"institution"}');
      expectInvalid(await s.api.call('POST', '/v1/customers', { body }), ['kind']);
    });

    test('a body that is not JSON by Content-Type is a 415 naming the expected type; malformed JSON a 400 naming the body', async () => {
      const res = await s.api.call<Problem>('POST', '/v1/customers', { body: JSON.stringify(customerBody()), headers: { 'Content-Type': 'text/plain' } });
      expectProblem(res, 415, 'unsupported_media_type');
      expect(res.body).toMatchObject({ expected: 'application/json', errors: [{ field: 'Content-Type' }] });
      expectInvalid(await s.api.call('POST', '/v1/customers', { body: '{"name": "Acme", ' }), ['body']);
    });

    test('malformed ids, limits and cursors are 400s naming them', async () => {
      expectInvalid(await s.api.call('GET', '/v1/customers/not-an-id'), ['id']);
      expectInvalid(await s.api.call('GET', '/v1/customers?limit=101'), ['limit']);
      expectInvalid(await s.api.call('GET', '/v1/customers?status=sleeping'), ['status']);
      const page = await s.api.call<Page<CustomerResource>>('GET', '/v1/customers?limit=1');
      expect(page.status).toBe(200);
      expectInvalid(await s.api.call('GET', '/v1/plans?cursor=bm9wZQ'), ['cursor']);
    });

    test('text that is not UTF-8, a lone surrogate, an impossible date and an unknown query parameter are 400s naming the field; nothing is created', async () => {
      const email = `bytes-${tag()}@contract.example`;
      const bytes = new Uint8Array([...new TextEncoder().encode(`{"email":"${email}","kind":"sme","country":"DE","name":"Bad `), 0xc3, 0x28, ...new TextEncoder().encode(' GmbH"}')]);
      const headers = { Authorization: `Bearer ${s.admin.token}`, 'Content-Type': 'application/json' };
      const res = await fetch(`${s.target().baseUrl}/v1/customers`, { method: 'POST', headers, body: bytes });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Problem).errors).toEqual([{ field: 'name', message: expect.stringContaining('UTF-8') }]);
      expectInvalid(await s.api.call('POST', '/v1/customers', { body: `{"email":"${email}","kind":"sme","country":"DE","name":"Lone \\ud800"}` }), ['name']);
      expectInvalid(await s.api.call('POST', '/v1/test-clocks', { body: { name: 'Leap', frozen_time: '2026-02-29T00:00:00Z' } }), ['frozen_time']);
      expectInvalid(await s.api.call('GET', '/v1/customers?q=%C3%28'), ['q']);
      expectInvalid(await s.api.call('GET', '/v1/customers?stauts=active'), ['stauts']);
      const none = await s.api.call<Page<CustomerResource>>('GET', `/v1/customers?email=${encodeURIComponent(email)}`);
      expect(none.body.data).toEqual([]);
    });

    test('an unknown route is a 404 problem; a known path with another method a 405 with Allow', async () => {
      const missing = await s.api.call<Problem>('GET', '/v1/nothing-here');
      expectProblem(missing, 404, 'not_found');
      expect(missing.body.request_id).toBe(missing.headers.get('x-request-id') ?? undefined);
      const wrong = await s.api.call('PUT', '/v1/customers');
      expectProblem(wrong, 405, 'method_not_allowed');
      const allowed = wrong.headers.get('allow')?.split(/,\s*/) ?? [];
      expect(allowed).toEqual(expect.arrayContaining(['GET', 'POST']));
      expect(allowed).not.toContain('PUT');
    });
  });
}
