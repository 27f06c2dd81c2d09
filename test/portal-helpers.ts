import { and, eq } from 'drizzle-orm';
import { notifications } from '../db/schema/index.ts';
import type { SignupResource } from '../src/portal/contract.ts';
import { eventually, type TestPlatform } from './harness.ts';

let seq = 0;

/** A portal password that passes the operators' policy. */
export const PORTAL_PASSWORD = 'correct horse battery staple';

/** A fresh sign-up body; every call gets its own email. */
export const signupInput = (overrides: Record<string, unknown> = {}) => {
  const n = ++seq;
  return { company_name: `Selfserve ${n} GmbH`, kind: 'sme', country: 'DE', name: `Person ${n}`, email: `person${n}-${Date.now()}@selfserve.example`, password: PORTAL_PASSWORD, ...overrides };
};

/** The one-time code of an account email's text (`code: …`). */
export const codeIn = (text: string): string => {
  const code = /code: ([A-Za-z0-9_-]+)/.exec(text)?.[1];
  if (!code) throw new Error(`no code in ${text}`);
  return code;
};

/** Signs up and waits until the worker made the account ready; answers the ready sign-up. */
export async function signUpReady(p: TestPlatform, overrides: Record<string, unknown> = {}) {
  const input = signupInput(overrides);
  const created = await p.call<SignupResource>('POST', '/v1/portal/signup', { token: null, body: input });
  if (created.status !== 202) throw new Error(`sign-up answered ${created.status}: ${JSON.stringify(created.body)}`);
  const ready = await eventually(async () => {
    const res = await p.call<SignupResource>('GET', `/v1/portal/signups/${created.body.id}`, { token: null });
    return res.body.state === 'ready' ? res.body : null;
  });
  return { input, signup: ready };
}

/** The text of the latest email of `template` queued to `to` (what the email channel sends). */
export async function latestEmail(p: TestPlatform, to: string, template: string) {
  return eventually(async () => {
    const rows = await p.deps.db.select().from(notifications).where(and(eq(notifications.recipient, to), eq(notifications.template, template)));
    return rows.sort((a, b) => a.id.localeCompare(b.id)).at(-1)?.body ?? null;
  });
}

/** Logs in a portal user; answers the response. */
export const portalLogin = (p: TestPlatform, email: string, password = PORTAL_PASSWORD) => p.call<{ token: string }>('POST', '/v1/portal/login', { token: null, body: { email, password } });
