import { describe, expect, test } from 'bun:test';
import { SignJWT } from 'jose';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { LoginResponse, OperatorResource, SessionResource } from '../../src/operators/contract.ts';
import type { Page } from '../../db/paging.ts';
import type { Problem } from '../../src/http/problem.ts';
import { customerBody, expectProblem, tag } from './client.ts';
import { OPERATOR_PASSWORD, type Session } from './session.ts';

/** Login, the session, logout, refused tokens; roles; operators managed by admins only. */
export function authContract(s: Session) {
  describe('auth', () => {
    test('the admin logs in with the configured credentials and `me` names it', async () => {
      const res = await s.login(s.target().admin.email.toUpperCase(), s.target().admin.password);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', operator: { email: s.target().admin.email, role: 'admin' } });
      const me = await s.api.call<SessionResource>('GET', '/v1/auth/me', { token: (res.body as LoginResponse).token });
      expect(me.status).toBe(200);
      expect(me.body.operator).toMatchObject({ email: s.target().admin.email, role: 'admin', disabled: false });
      expect(Date.parse(me.body.expires_at)).toBeGreaterThan(Date.now());
    });

    test('a wrong password and an unknown email are both 401 with the same detail', async () => {
      const wrong = await s.login(s.operator.email, 'not the password at all');
      const unknown = await s.login(`nobody-${tag()}@contract.example`, OPERATOR_PASSWORD);
      expectProblem(wrong, 401, 'unauthorized');
      expectProblem(unknown, 401, 'unauthorized');
      expect(wrong.body.detail).toBe(unknown.body.detail);
    });

    test('logout ends the presented token only', async () => {
      const other = await s.login(s.operator.email, OPERATOR_PASSWORD);
      const token = (other.body as LoginResponse).token;
      expect((await s.api.call('POST', '/v1/auth/logout', { token })).status).toBe(204);
      expectProblem(await s.api.call('GET', '/v1/auth/me', { token }), 401, 'unauthorized');
      expect((await s.api.call('GET', '/v1/auth/me', { token: s.operator.token })).status).toBe(200);
    });

    test('no token, a malformed one and one signed with another secret are 401 problems', async () => {
      const none = await s.api.call('GET', '/v1/customers', { token: null });
      expectProblem(none, 401, 'unauthorized');
      expect(none.headers.get('www-authenticate')).toStartWith('Bearer');
      expectProblem(await s.api.call('GET', '/v1/customers', { token: 'not.a.jwt' }), 401, 'unauthorized');
      const forged = await new SignJWT({ role: 'admin', ver: 0 })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(s.admin.id)
        .setJti(crypto.randomUUID())
        .setIssuer('subscription-platform')
        .setAudience('subscription-platform-api')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode('another-secret-that-is-also-long-enough-42'));
      expectProblem(await s.api.call('GET', '/v1/customers', { token: forged }), 401, 'unauthorized');
      // The admin's own valid token, spelled with base64 padding, is no token.
      expectProblem(await s.api.call('GET', '/v1/customers', { token: `${s.admin.token}=` }), 401, 'unauthorized');
    });
  });

  describe('roles', () => {
    test("a viewer reads (200) but a viewer's write is a 403 problem that changes nothing", async () => {
      const c = (await s.api.call<CustomerResource>('POST', '/v1/customers', { body: customerBody() })).body;
      const viewer = s.viewer.token;
      for (const path of ['/v1/customers', `/v1/customers/${c.id}`, '/v1/plans', '/v1/events']) {
        expect({ path, status: (await s.api.call('GET', path, { token: viewer })).status }).toEqual({ path, status: 200 });
      }
      expectProblem(await s.api.call('POST', '/v1/customers', { token: viewer, body: customerBody() }), 403, 'forbidden');
      expectProblem(await s.api.call('POST', `/v1/customers/${c.id}/activate`, { token: viewer }), 403, 'forbidden');
      expectProblem(await s.api.call('PATCH', `/v1/customers/${c.id}`, { token: viewer, body: { name: 'Viewer was here' } }), 403, 'forbidden');
      expect((await s.api.call('GET', `/v1/customers/${c.id}`)).body).toMatchObject({ status: 'onboarded', name: c.name, version: 1 });
    });

    test('an operator writes customers but cannot manage operators or read the audit (403)', async () => {
      const operator = s.operator.token;
      expect((await s.api.call('POST', '/v1/customers', { token: operator, body: customerBody() })).status).toBe(201);
      expectProblem(await s.api.call('GET', '/v1/operators', { token: operator }), 403, 'forbidden');
      expectProblem(
        await s.api.call('POST', '/v1/operators', { token: operator, body: { email: `x-${tag()}@contract.example`, name: 'Nope', role: 'admin', password: OPERATOR_PASSWORD } }),
        403,
        'forbidden',
      );
      expectProblem(await s.api.call('PATCH', `/v1/operators/${s.viewer.id}`, { token: operator, body: { role: 'admin' } }), 403, 'forbidden');
      expectProblem(await s.api.call('GET', '/v1/audit', { token: operator }), 403, 'forbidden');
    });
  });

  describe('operators', () => {
    test('an admin lists, reads and disables operators; disabling ends their tokens', async () => {
      const extra = await s.createOperator('operator');
      const list = await s.api.call<Page<OperatorResource>>('GET', '/v1/operators?limit=100');
      expect(list.status).toBe(200);
      expect(list.body.data.map((o) => o.email)).toEqual(expect.arrayContaining([s.operator.email, s.viewer.email, extra.email]));
      expect((await s.api.call<OperatorResource>('GET', `/v1/operators/${extra.id}`)).body).toMatchObject({ email: extra.email, role: 'operator', disabled: false });

      const disabled = await s.api.call<OperatorResource>('PATCH', `/v1/operators/${extra.id}`, { body: { disabled: true } });
      expect(disabled.status).toBe(200);
      expect(disabled.body.disabled).toBe(true);
      expectProblem(await s.api.call('GET', '/v1/auth/me', { token: extra.token }), 401, 'unauthorized');
      const relogin = await s.login(extra.email, OPERATOR_PASSWORD);
      expect(relogin.status).toBe(401);
      expect((relogin.body as Problem).code).toBe('unauthorized');
    });
  });
}
