import { afterAll, beforeAll } from 'bun:test';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createOperator } from '../../src/operators/create.ts';
import { createTestPlatform, type TestPlatform } from '../harness.ts';
import { ROOT } from '../processes.ts';

/**
 * Browser tests drive Debian's Chromium (`/usr/bin/chromium`, installed by `.ci/run`)
 * through playwright-core against the real app served over HTTP by Bun, with the
 * real workers. Without Chromium they are skipped with a marker that fails CI.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SKIP_REASON = `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`;

/** Where every page's screenshot goes (kept out of git). */
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');

export const PASSWORD = 'a-long-enough-password';

export interface BrowserRig {
  platform: TestPlatform;
  /** The app's origin, e.g. http://127.0.0.1:41234 */
  url: string;
  browser: Browser;
  /** A fresh operator of this role (email, password) to sign in with. */
  operator(role: 'admin' | 'operator' | 'viewer'): Promise<{ email: string; password: string }>;
  /** A new browser context and page at 1280×800 (or `width`), failing the test on any console error. */
  newPage(options?: { width?: number }): Promise<Page>;
  /** Signs in through the form and lands on the home page. */
  signIn(page: Page, who: { email: string; password: string }): Promise<void>;
  /** Writes `<name>.png` to the screenshots folder. */
  screenshot(page: Page, name: string): Promise<void>;
  /** Console errors and page errors seen so far on every page (each test asserts there are none). */
  consoleErrors: string[];
}

/**
 * Starts the platform (in-process, real database and workers) on a local port and
 * one Chromium for a test file; everything is closed after the file.
 */
export function useBrowserRig(options: { env?: Record<string, string> } = {}): BrowserRig {
  const rig = { consoleErrors: [] as string[] } as BrowserRig;
  let server: { stop(): void } | undefined;
  const contexts: BrowserContext[] = [];
  let n = 0;
  beforeAll(async () => {
    if (!hasChromium) return;
    const { chromium } = await import('playwright-core');
    rig.platform = await createTestPlatform({ env: options.env });
    rig.platform.startWorkers();
    const app = rig.platform.app;
    const bun = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request, s) => app.fetch(request, { peerAddress: s.requestIP(request)?.address }) });
    server = bun;
    rig.url = `http://127.0.0.1:${bun.port}`;
    rig.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await rig.browser?.close();
    server?.stop();
    await rig.platform?.close();
  });
  rig.operator = async (role) => {
    const email = `${role}-${++n}-${crypto.randomUUID().slice(0, 6)}@ops.example`;
    await createOperator(rig.platform.ctx(), { email, name: `${role} ${n}`, role, password: PASSWORD });
    return { email, password: PASSWORD };
  };
  rig.newPage = async ({ width = 1280 } = {}) => {
    const context = await rig.browser.newContext({ viewport: { width, height: 800 }, baseURL: rig.url });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') rig.consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => rig.consoleErrors.push(`${page.url()}: ${error.message}`));
    return page;
  };
  rig.signIn = async (page, who) => {
    await page.goto('/admin/login');
    await page.fill('#email', who.email);
    await page.fill('#password', who.password);
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/admin/login')), page.click('[data-test=sign-in]')]);
  };
  rig.screenshot = async (page, name) => {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  return rig;
}
