import { describe, expect, test } from 'bun:test';
import { customerInput } from '../harness.ts';
import { hasChromium, SKIP_REASON, useBrowserRig } from './harness.ts';

const rig = useBrowserRig();

describe.skipIf(!hasChromium)(hasChromium ? 'dashboard sign-in' : `dashboard sign-in [${SKIP_REASON}]`, () => {
  test('an operator signs in with email and password, the session is an HttpOnly SameSite=Strict cookie, and logging out ends it', async () => {
    const who = await rig.operator('operator');
    const page = await rig.newPage();
    await page.goto('/admin');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.fill('#email', who.email);
    await page.fill('#password', 'wrong password here');
    await page.click('[data-test=sign-in]');
    await expect(page.locator('[data-test=login-error]').textContent()).resolves.toContain('wrong');
    await rig.signIn(page, who);
    expect(new URL(page.url()).pathname).toBe('/admin');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'admin_session', httpOnly: true, sameSite: 'Strict', path: '/admin' });
    await rig.screenshot(page, 'signed-in');
    await Promise.all([page.waitForURL(/\/admin\/login/), page.click('[data-test=logout]')]);
    await page.goto('/admin');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    expect(rig.consoleErrors).toEqual([]);
  });

  test('a form posted to the dashboard from another origin, in the signed-in operator\'s browser, is refused (403) and changes nothing', async () => {
    const customer = (await rig.platform.call<{ id: string; status: string }>('POST', '/v1/customers', { body: customerInput() })).body;
    expect((await rig.platform.call('POST', `/v1/customers/${customer.id}/activate`)).status).toBe(200);
    // Another site on the same host (another port: same site, so the SameSite cookie alone would not stop it).
    const evil = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () =>
        new Response(
          `<!doctype html><form id="f" method="post" action="${rig.url}/admin/customers/${customer.id}/deactivate"><input name="_csrf" value="guessed"></form><script>document.getElementById('f').submit()</script>`,
          { headers: { 'Content-Type': 'text/html' } },
        ),
    });
    try {
      // A context of its own: the refused page's failed load is expected here, not a console error of the dashboard.
      const context = await rig.browser.newContext({ baseURL: rig.url });
      const page = await context.newPage();
      await rig.signIn(page, await rig.operator('admin'));
      const refused = page.waitForResponse((res) => res.url().endsWith(`/admin/customers/${customer.id}/deactivate`));
      await page.goto(`http://127.0.0.1:${evil.port}/`);
      expect((await refused).status()).toBe(403);
      expect((await rig.platform.call<{ status: string }>('GET', `/v1/customers/${customer.id}`)).body.status).toBe('active');
      await context.close();
    } finally {
      evil.stop();
    }
  });

  test('disabling an operator, or changing its password, ends its dashboard session at once', async () => {
    const idOf = async (email: string) => {
      const page = await rig.platform.call<{ data: { id: string; email: string }[] }>('GET', '/v1/operators?limit=100');
      return page.body.data.find((o) => o.email === email)!.id;
    };
    for (const change of [{ disabled: true }, { password: 'another-long-enough-passphrase' }]) {
      const who = await rig.operator('operator');
      const page = await rig.newPage();
      await rig.signIn(page, who);
      await page.goto('/admin/customers');
      expect(new URL(page.url()).pathname).toBe('/admin/customers');
      expect((await rig.platform.call('PATCH', `/v1/operators/${await idOf(who.email)}`, { body: change })).status).toBe(200);
      await page.goto('/admin/customers');
      expect({ change, path: new URL(page.url()).pathname }).toEqual({ change, path: '/admin/login' });
    }
    expect(rig.consoleErrors).toEqual([]);
  });

  test('the login page works at 375 px wide', async () => {
    const page = await rig.newPage({ width: 375 });
    await page.goto('/admin/login');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await rig.screenshot(page, 'login-375');
  });
});
