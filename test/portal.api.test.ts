import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, count, eq } from 'drizzle-orm';
import { customers, outbox, users } from '../db/schema/index.ts';
import type { Page } from '../db/paging.ts';
import { consumeOnce } from '../src/bus/consumer.ts';
import type { EventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';

type Conflict = Problem & { field?: string };
import { manualClock, toIso, type ManualClock } from '../src/kernel/clock.ts';
import { withTransaction } from '../src/kernel/context.ts';
import type { PortalMeResource, SignupResource } from '../src/portal/contract.ts';
import { portalSignupsHandler } from '../src/portal/consumer.ts';
import type { UserResource } from '../src/users/contract.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';
import { codeIn, latestEmail, PORTAL_PASSWORD, portalLogin, signUpReady, signupInput } from './portal-helpers.ts';

let p: TestPlatform;
let clock: ManualClock;
const NEW_PASSWORD = 'another long passphrase 42';

beforeAll(async () => {
  clock = manualClock(Date.UTC(2026, 4, 1));
  p = await createTestPlatform({ env: { PASSWORD_ITERATIONS: '100000', LOGIN_MAX_FAILURES_PER_EMAIL: '3' }, build: { clock } });
  p.startWorkers(['relay', 'portal-signups', 'portal-invitations']);
});
afterAll(() => p.close());

const fieldsOf = (body: unknown) => ((body as Problem).errors ?? []).map((e) => e.field);

describe('portal sign-up', () => {
  test('a sign-up answers 202 pending, records user.signed_up without the password, and the worker makes a ready customer with the person as active owner', async () => {
    const input = signupInput();
    const created = await p.call<SignupResource>('POST', '/v1/portal/signup', { token: null, body: input });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ object: 'signup', state: 'pending', ready: false, customer_id: null });
    expect(created.body.message).toContain('being set up');

    const signup = await eventually(async () => {
      const res = await p.call<SignupResource>('GET', `/v1/portal/signups/${created.body.id}`, { token: null });
      return res.body.state === 'ready' ? res.body : null;
    });
    expect(signup).toMatchObject({ state: 'ready', ready: true });

    const events = (await p.call<Page<EventResource>>('GET', `/v1/events?subject=${created.body.id}`)).body.data;
    expect(events.map((e) => e.type)).toEqual(['user.signed_up']);
    const text = JSON.stringify(events[0]);
    expect(text).not.toContain(PORTAL_PASSWORD);
    expect(text).not.toContain('pbkdf2');

    const customer = (await p.call<{ name: string; email: string; kind: string; country: string }>('GET', `/v1/customers/${signup.customer_id}`)).body;
    expect(customer).toMatchObject({ name: input.company_name, email: input.email, kind: 'sme', country: 'DE' });
    const owners = (await p.call<Page<UserResource>>('GET', `/v1/customers/${signup.customer_id}/users`)).body.data;
    expect(owners).toEqual([expect.objectContaining({ id: signup.user_id, email: input.email, name: input.name, role: 'owner', status: 'active' })]);

    const login = await portalLogin(p, input.email);
    expect(login.status).toBe(200);
    const me = await p.call<PortalMeResource>('GET', '/v1/portal/me', { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ customer_id: signup.customer_id, ready: true, user: { id: signup.user_id, role: 'owner', email_verified: false } });
  });

  test('a redelivered user.signed_up onboards nothing twice: the inbox skips it, and a sign-up already ready is left alone', async () => {
    const { signup } = await signUpReady(p);
    const [row] = await p.deps.db.select().from(outbox).where(and(eq(outbox.subject, signup.id), eq(outbox.type, 'user.signed_up')));
    const envelope = { specversion: '1.0', id: row!.id, source: row!.source, type: row!.type, subject: row!.subject, time: toIso(row!.time), sequence: row!.sequence, data: row!.data };
    expect(await consumeOnce(p.deps, portalSignupsHandler, envelope)).toBe('duplicate');
    // Even past the inbox (a copy under another event id), the sign-up's state stops a second onboarding.
    expect(await consumeOnce(p.deps, portalSignupsHandler, { ...envelope, id: `${envelope.id}-copy` })).toBe('handled');
    await withTransaction(p.ctx(), (ctx) => portalSignupsHandler.handle(ctx, { ...envelope, datacontenttype: 'application/json', type: 'user.signed_up', data: row!.data } as never));
    const [{ n }] = (await p.deps.db.select({ n: count() }).from(customers).where(eq(customers.email, (row!.data as { user: { email: string } }).user.email))) as [{ n: number }];
    expect(n).toBe(1);
  });

  test('an email that already signs in, or is signing up, or is a customer\'s is refused with 409 naming email', async () => {
    const { input } = await signUpReady(p);
    const again = await p.call<Conflict>('POST', '/v1/portal/signup', { token: null, body: signupInput({ email: input.email }) });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict', field: 'email' });

    const operatorMade = customerInput();
    expect((await p.call('POST', '/v1/customers', { body: operatorMade })).status).toBe(201);
    const clash = await p.call<Conflict>('POST', '/v1/portal/signup', { token: null, body: signupInput({ email: operatorMade.email }) });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ code: 'conflict', field: 'email' });
  });

  test('a weak password or a missing field is a 400 naming it', async () => {
    const input = signupInput();
    const weak = await p.call<Problem>('POST', '/v1/portal/signup', { token: null, body: { ...input, password: input.email } });
    expect(weak.status).toBe(400);
    expect(fieldsOf(weak.body)).toEqual(['password']);
    const { company_name: _, ...rest } = input;
    const missing = await p.call<Problem>('POST', '/v1/portal/signup', { token: null, body: rest });
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing.body)).toContain('company_name');
  });
});

describe('portal login and logout', () => {
  test('login answers a token with the portal audience; wrong passwords are 401, then throttled with 429', async () => {
    const { input, signup } = await signUpReady(p);
    const ok = await portalLogin(p, input.email);
    const claims = JSON.parse(atob(ok.body.token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
    expect(claims).toMatchObject({ aud: 'subscription-platform-portal', sub: signup.user_id, cus: signup.customer_id, ver: 0 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await portalLogin(p, input.email, 'wrong password here')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  test('logout ends that token only; an operator token is no portal token, and a portal token reaches only its own customer on the API', async () => {
    const { input, signup } = await signUpReady(p);
    const first = (await portalLogin(p, input.email)).body.token;
    const second = (await portalLogin(p, input.email)).body.token;
    expect((await p.call('POST', '/v1/portal/logout', { token: first })).status).toBe(204);
    const ended = await p.call<Problem>('GET', '/v1/portal/me', { token: first });
    expect(ended.status).toBe(401);
    expect(ended.body.detail).toContain('logged out');
    expect((await p.call('GET', '/v1/portal/me', { token: second })).status).toBe(200);

    expect((await p.call('GET', '/v1/portal/me', { token: await p.tokenFor('admin') })).status).toBe(401);
    // A portal token is a tenant principal on the API: its own customer, and nothing of another's (404).
    expect((await p.call('GET', `/v1/customers/${signup.customer_id}`, { token: second })).status).toBe(200);
    const other = await p.call<{ id: string }>('POST', '/v1/customers', { body: customerInput() });
    expect((await p.call('GET', `/v1/customers/${other.body.id}`, { token: second })).status).toBe(404);
    expect((await p.call('GET', '/v1/operators', { token: second })).status).toBe(404);
    expect((await p.call('GET', '/v1/portal/me', { token: null })).status).toBe(401);
  });
});

describe("a portal token on the API's lists", () => {
  test("GET /v1/customers answers the user's own customer alone (no 'no route'); naming another customer is 404", async () => {
    const { input, signup } = await signUpReady(p);
    const token = (await portalLogin(p, input.email)).body.token;
    const other = await p.call<{ id: string }>('POST', '/v1/customers', { body: customerInput() });
    const list = await p.call<Page<{ id: string }>>('GET', '/v1/customers', { token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((c) => c.id)).toEqual([signup.customer_id!]);
    expect((await p.call<Page<{ id: string }>>('GET', `/v1/customers?customer_id=${signup.customer_id}`, { token })).body.data.map((c) => c.id)).toEqual([signup.customer_id!]);
    const another = await p.call<Problem>('GET', `/v1/customers?customer_id=${other.body.id}`, { token });
    expect(another.status).toBe(404);
    expect(another.body.code).toBe('not_found');
    // Operators still see every customer, and may filter by id.
    expect((await p.call<Page<{ id: string }>>('GET', `/v1/customers?customer_id=${other.body.id}`)).body.data.map((c) => c.id)).toEqual([other.body.id]);
  });

  test('a portal token with "=" appended (or its header padded) is 401', async () => {
    const { input } = await signUpReady(p);
    const token = (await portalLogin(p, input.email)).body.token;
    expect((await p.call('GET', '/v1/portal/me', { token })).status).toBe(200);
    const [header, payload, signature] = token.split('.');
    for (const spelled of [`${token}=`, `${header}=.${payload}.${signature}`]) {
      expect((await p.call('GET', '/v1/portal/me', { token: spelled })).status).toBe(401);
      expect((await p.call('GET', '/v1/customers', { token: spelled })).status).toBe(401);
    }
  });
});

describe('portal password and email flows', () => {
  test('forgot answers the same for an unknown email as for a known one, and only the known one gets an email', async () => {
    const { input } = await signUpReady(p);
    const known = await p.call('POST', '/v1/portal/password/forgot', { token: null, body: { email: input.email } });
    const unknown = await p.call('POST', '/v1/portal/password/forgot', { token: null, body: { email: 'nobody-here@selfserve.example' } });
    expect(known.status).toBe(202);
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: known.status, body: known.body });
    expect(codeIn(await latestEmail(p, input.email, 'password_reset'))).toBeTruthy();
    const events = (await p.call<Page<EventResource>>('GET', '/v1/events?type=user.password_reset_requested')).body.data;
    expect(JSON.stringify(events)).not.toContain(codeIn(await latestEmail(p, input.email, 'password_reset')));
  });

  test('a reset code works once, ends earlier tokens, and expires', async () => {
    const { input } = await signUpReady(p);
    const before = (await portalLogin(p, input.email)).body.token;
    await p.call('POST', '/v1/portal/password/forgot', { token: null, body: { email: input.email } });
    const code = codeIn(await latestEmail(p, input.email, 'password_reset'));
    const reset = await p.call('POST', '/v1/portal/password/reset', { token: null, body: { token: code, password: NEW_PASSWORD } });
    expect(reset.status).toBe(200);
    expect((await p.call('GET', '/v1/portal/me', { token: before })).status).toBe(401);
    expect((await portalLogin(p, input.email)).status).toBe(401);
    expect((await portalLogin(p, input.email, NEW_PASSWORD)).status).toBe(200);
    const twice = await p.call<Problem>('POST', '/v1/portal/password/reset', { token: null, body: { token: code, password: 'yet another passphrase 7' } });
    expect(twice.status).toBe(400);
    expect(fieldsOf(twice.body)).toEqual(['token']);

    await p.call('POST', '/v1/portal/password/forgot', { token: null, body: { email: input.email } });
    const late = codeIn(await latestEmail(p, input.email, 'password_reset'));
    clock.advance(61 * 60_000);
    const expired = await p.call<Problem>('POST', '/v1/portal/password/reset', { token: null, body: { token: late, password: 'yet another passphrase 7' } });
    expect(expired.status).toBe(400);
    expect(fieldsOf(expired.body)).toEqual(['token']);
  });

  test('the sign-up email verifies the address once', async () => {
    const { input } = await signUpReady(p);
    const code = codeIn(await latestEmail(p, input.email, 'email_verification'));
    expect((await p.call('POST', '/v1/portal/email/verify', { token: null, body: { token: code } })).status).toBe(200);
    const token = (await portalLogin(p, input.email)).body.token;
    expect((await p.call<PortalMeResource>('GET', '/v1/portal/me', { token })).body.user.email_verified).toBe(true);
    expect((await p.call('POST', '/v1/portal/email/verify', { token: null, body: { token: code } })).status).toBe(400);
  });

  test('an invited user accepts with the emailed code and a password, becomes active and logs in', async () => {
    const { signup } = await signUpReady(p);
    const email = `invited-${Date.now()}@selfserve.example`;
    const invited = await p.call<UserResource>('POST', `/v1/customers/${signup.customer_id}/users`, { body: { email, name: 'Invited Person', role: 'admin' } });
    expect(invited.body.status).toBe('invited');
    const code = codeIn(await latestEmail(p, email, 'invitation'));
    const accepted = await p.call('POST', '/v1/portal/invitations/accept', { token: null, body: { token: code, password: PORTAL_PASSWORD } });
    expect(accepted.status).toBe(200);
    const user = (await p.call<UserResource>('GET', `/v1/customers/${signup.customer_id}/users/${invited.body.id}`)).body;
    expect(user.status).toBe('active');
    const login = await portalLogin(p, email);
    expect(login.status).toBe(200);
    expect((await p.call<PortalMeResource>('GET', '/v1/portal/me', { token: login.body.token })).body).toMatchObject({ customer_id: signup.customer_id, user: { role: 'admin', email_verified: true } });
    expect((await p.call('POST', '/v1/portal/invitations/accept', { token: null, body: { token: code, password: PORTAL_PASSWORD } })).status).toBe(400);
    const [row] = await p.deps.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, invited.body.id));
    expect(row!.hash).toStartWith('pbkdf2-sha256$');
  });
});
