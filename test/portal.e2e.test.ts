import { afterAll, beforeAll, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import type { Page } from '../db/paging.ts';
import { notifications } from '../db/schema/index.ts';
import type { EventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock, type ManualClock } from '../src/kernel/clock.ts';
import type { PortalMeResource } from '../src/portal/contract.ts';
import type { UserResource } from '../src/users/contract.ts';
import { forEachBus } from './kafka-env.ts';
import { createTestPlatform, eventually, type TestPlatform } from './harness.ts';
import { startSmtpServer, type ReceivedMail } from './smtp-server.ts';
import { codeIn, PORTAL_PASSWORD, portalLogin, signUpReady } from './portal-helpers.ts';


/** The text of a received message with quoted-printable soft line breaks undone. */
const textOf = (mail: ReceivedMail) => mail.raw.replace(/=\r?\n/g, '');

forEachBus('portal accounts end to end', (bus) => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let p: TestPlatform;
  let clock: ManualClock;

  /** The latest email with `subject` that reached the SMTP server for `to`. */
  const mailTo = (to: string, subject: string, after = 0) =>
    eventually(async () => smtp.received.slice(after).filter((m) => m.to.includes(to) && m.raw.includes(`Subject: ${subject}`)).at(-1), { timeoutMs: 30_000 });

  beforeAll(async () => {
    smtp = await startSmtpServer();
    clock = manualClock(Date.now());
    p = await createTestPlatform({
      env: { ...bus.env(), EMAIL_CHANNEL: 'smtp', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, PASSWORD_ITERATIONS: '100000' },
      build: { clock },
    });
    p.startWorkers();
  });
  afterAll(async () => {
    await p.close();
    await smtp.close();
  });

  test('sign-up reaches a ready customer through the bus, with its welcome and verification emails', async () => {
    const { input, signup } = await signUpReady(p);
    expect(signup.customer_id).toStartWith('cus_');
    const types = await eventually(async () => {
      const t = (await p.call<Page<EventResource>>('GET', `/v1/events?subject=${signup.customer_id}`)).body.data.map((e) => e.type);
      return t.includes('notification.sent') ? t : null;
    }, { timeoutMs: 30_000 });
    expect(types).toEqual(expect.arrayContaining(['customer.onboarded', 'user.created']));
    await mailTo(input.email, 'Welcome aboard');
    const verification = await mailTo(input.email, 'Confirm your email address');
    expect((await p.call('POST', '/v1/portal/email/verify', { token: null, body: { token: codeIn(textOf(verification)) } })).status).toBe(200);
    const token = (await portalLogin(p, input.email)).body.token;
    expect((await p.call<PortalMeResource>('GET', '/v1/portal/me', { token })).body).toMatchObject({ customer_id: signup.customer_id, ready: true, user: { email_verified: true } });
  }, 60_000);

  test('password reset through the real SMTP server: the code arrives, works once, expires, and ends old tokens', async () => {
    const { input } = await signUpReady(p);
    const old = (await portalLogin(p, input.email)).body.token;

    const seen = smtp.received.length;
    const forgot = await p.call('POST', '/v1/portal/password/forgot', { token: null, body: { email: input.email } });
    const unknown = await p.call('POST', '/v1/portal/password/forgot', { token: null, body: { email: `nobody-${Date.now()}@selfserve.example` } });
    expect([forgot.status, unknown.status]).toEqual([202, 202]);
    expect(unknown.body).toEqual(forgot.body);
    const mail = await mailTo(input.email, 'Reset your password', seen);
    const code = codeIn(textOf(mail));

    const newPassword = 'a brand new passphrase 2026';
    expect((await p.call('POST', '/v1/portal/password/reset', { token: null, body: { token: code, password: newPassword } })).status).toBe(200);
    expect((await p.call('GET', '/v1/portal/me', { token: old })).status).toBe(401);
    expect((await portalLogin(p, input.email, PORTAL_PASSWORD)).status).toBe(401);
    expect((await portalLogin(p, input.email, newPassword)).status).toBe(200);
    const again = await p.call<Problem>('POST', '/v1/portal/password/reset', { token: null, body: { token: code, password: 'one more passphrase 99' } });
    expect(again.status).toBe(400);

    const seen2 = smtp.received.length;
    await p.call('POST', '/v1/portal/password/forgot', { token: null, body: { email: input.email } });
    const late = codeIn(textOf(await mailTo(input.email, 'Reset your password', seen2)));
    clock.advance(2 * 3_600_000);
    const expired = await p.call<Problem>('POST', '/v1/portal/password/reset', { token: null, body: { token: late, password: 'one more passphrase 99' } });
    expect(expired.status).toBe(400);
    expect(expired.body.errors?.map((e) => e.field)).toEqual(['token']);
    // Once sent, the stored message keeps no code.
    const stored = await eventually(async () => {
      const rows = await p.deps.db.select({ body: notifications.body, status: notifications.status }).from(notifications).where(eq(notifications.template, 'password_reset'));
      return rows.length > 0 && rows.every((r) => r.status === 'sent') ? rows : null;
    }, { timeoutMs: 30_000 });
    expect(stored.every((r) => r.body.includes('code: [redacted]'))).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(code);
    // Only one email went out for the two forgot requests of the first round: the unknown address got none.
    expect(smtp.received.filter((m) => m.raw.includes('nobody-'))).toEqual([]);
  }, 60_000);

  test('an invitation email lets the invited user choose a password and log in', async () => {
    const { signup } = await signUpReady(p);
    const email = `invitee-${Date.now()}@selfserve.example`;
    const invited = await p.call<UserResource>('POST', `/v1/customers/${signup.customer_id}/users`, { body: { email, name: 'Invitee', role: 'member' } });
    const mail = await mailTo(email, 'You are invited');
    expect((await p.call('POST', '/v1/portal/invitations/accept', { token: null, body: { token: codeIn(textOf(mail)), password: PORTAL_PASSWORD } })).status).toBe(200);
    expect((await p.call<UserResource>('GET', `/v1/customers/${signup.customer_id}/users/${invited.body.id}`)).body.status).toBe('active');
    expect((await portalLogin(p, email)).status).toBe(200);
  }, 60_000);
});
