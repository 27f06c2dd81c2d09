import { describe, expect, test } from 'bun:test';
import { hasChromium, SKIP_REASON, useBrowserRig } from './harness.ts';

const rig = useBrowserRig();

describe.skipIf(!hasChromium)(hasChromium ? 'dashboard sign-in' : `dashboard sign-in [${SKIP_REASON}]`, () => {
  test('issue 12: an operator signs in with email and password, the session is an HttpOnly SameSite=Strict cookie, and logging out ends it', async () => {
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
    await rig.screenshot(page, 'home');
    await Promise.all([page.waitForURL(/\/admin\/login/), page.click('[data-test=logout]')]);
    await page.goto('/admin');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    expect(rig.consoleErrors).toEqual([]);
  });

  test('issue 12: the login page works at 375 px wide', async () => {
    const page = await rig.newPage({ width: 375 });
    await page.goto('/admin/login');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await rig.screenshot(page, 'login-375');
  });
});
