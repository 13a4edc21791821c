import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, type DashboardServer, startDashboardServer } from '../dashboard/serve';
import { REPO_ROOT } from '../lib/paths';
import { DEMO_CONFIG, seedDemoStore } from '../pipeline/export/demo';
import { exportToDir } from '../pipeline/export/stage';
import { openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';

/**
 * The built dashboard in a real browser (Debian's chromium driven by playwright-core), served
 * by our static server with data exported by the real exporter from a store seeded through real
 * code paths (vader-base evaluations and predictions over the project's headlines; see
 * pipeline/export/demo.ts). Screenshots go to reports/screenshots/.
 */
const CHROMIUM = process.env.FINSENT_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `[finsent tests] no Chromium at ${CHROMIUM}: browser tests SKIPPED (apt-get install -y chromium, or set FINSENT_CHROMIUM)`,
  );
}
const SHOTS = path.join(REPO_ROOT, 'reports', 'screenshots');
// Expressions evaluated in the page are strings: this file is type-checked without the DOM lib.
const SECTIONS = ['overview', 'comparison', 'drift', 'quality', 'promotions', 'traffic', 'tickers'];
/** The text a reader sees (Playwright's Locator.innerText: layout-aware, hidden parts left out). */
// biome-ignore lint/performance/useDomNodeTextContent: this is Playwright's visible text, not the DOM property
const shown = (locator: Locator) => locator.innerText();
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!hasChromium)('the dashboard in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  let api: http.Server;
  const servers: Record<'full' | 'empty' | 'broken', DashboardServer> = {} as never;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'finsent-browser-'));
    const dist = path.join(dir, 'dist');
    const building = buildDashboard(dist);
    const db = await openDb({ dataDir: 'memory://' });
    try {
      await migrate(db);
      await exportToDir(db, { outDir: path.join(dir, 'empty') }); // a fresh store: every section empty
      await seedDemoStore(db, { assumedTables: true });
      await exportToDir(db, { outDir: path.join(dir, 'full'), config: DEMO_CONFIG, includeText: true });
    } finally {
      await db.close();
    }
    // Broken data: invalid JSON, a missing file, a file from another schema version.
    cpSync(path.join(dir, 'full'), path.join(dir, 'broken'), { recursive: true });
    writeFileSync(path.join(dir, 'broken', 'drift.json'), '{"schema_version": 1, "section": "drift", ');
    rmSync(path.join(dir, 'broken', 'quality.json'));
    const promotions = JSON.parse(readFileSync(path.join(dir, 'full', 'promotions.json'), 'utf8'));
    writeFileSync(
      path.join(dir, 'broken', 'promotions.json'),
      JSON.stringify({ ...promotions, schema_version: 99 }),
    );
    // A stand-in for the live API behind the /api proxy.
    api = http.createServer((req, res) => {
      const body =
        req.url === '/health'
          ? { status: 'ok', uptime_s: 42 }
          : { default: 'vader-base', champions: { 'vader-base': '3.3.1' } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    await building;
    // The build copies dashboard/public/data (a developer's local export) into dist; the servers
    // here must see only the data of each scenario.
    rmSync(path.join(dist, 'data'), { recursive: true, force: true });
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    servers.full = await startDashboardServer({ distDir: dist, dataDir: path.join(dir, 'full'), apiUrl });
    servers.empty = await startDashboardServer({ distDir: dist, dataDir: path.join(dir, 'empty') });
    servers.broken = await startDashboardServer({ distDir: dist, dataDir: path.join(dir, 'broken') });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    mkdirSync(SHOTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of Object.values(servers)) await s?.close();
    await new Promise((r) => api?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a page, collecting console errors and failed requests, and waits for the site to draw. */
  async function open(url: string, options: { colorScheme?: 'light' | 'dark'; width?: number } = {}) {
    const page = await browser.newPage({
      viewport: { width: options.width ?? 1280, height: 900 },
      colorScheme: options.colorScheme ?? 'light',
    });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    return { page, errors };
  }

  async function chartSizes(page: Page) {
    await page.waitForFunction("document.querySelectorAll('.chart canvas').length >= 6");
    return page.$$eval('.chart canvas, svg.svg-chart, .interval-plot', (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return {
          tag: e.tagName.toLowerCase(),
          section: e.closest('section')?.id ?? '?',
          w: r.width,
          h: r.height,
        };
      }),
    );
  }

  it('renders every section with data and draws its charts, without a console error', async () => {
    const { page, errors } = await open(servers.full.url);
    for (const id of SECTIONS) {
      const section = page.locator(`section#${id}`);
      await expect(section.locator('h2').textContent()).resolves.toBeTruthy();
      expect(await section.locator('.callout').count(), `${id} shows an empty or error state`).toBe(0);
    }
    const sizes = await chartSizes(page);
    for (const id of ['comparison', 'drift', 'quality', 'traffic', 'tickers']) {
      expect(sizes.filter((s) => s.section === id).length, `charts in ${id}`).toBeGreaterThan(0);
    }
    expect(
      sizes.every((s) => s.w > 100 && s.h > 50),
      JSON.stringify(sizes),
    ).toBe(true);
    // Figures from the real evaluation, the contract's CI and the confusion matrix reach the page.
    const overview = await shown(page.locator('#overview'));
    expect(overview).toMatch(/vader-base/);
    expect(overview).toMatch(/accuracy\s+0\.\d{3}/);
    expect(await page.locator('#comparison table.confusion tbody td').count()).toBe(9);
    expect(await shown(page.locator('#comparison'))).toMatch(/Wilson 95%/);
    expect(await page.locator('#promotions a[href*="pull"]').count()).toBe(1);
    expect(await shown(page.locator('#traffic table.data:visible').first())).toMatch(/vader-base@3\.3\.1/);
    // The live API is reached through the /api proxy (config.json → /api).
    await expect(shown(page.locator('#live-api'))).resolves.toMatch(/GET \/health[\s\S]*uptime_s\s+42/);
    await expect(shown(page.locator('#header-meta'))).resolves.toMatch(/live API/);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-light.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('follows the dark colour scheme and fits a phone screen without sideways scrolling', async () => {
    const dark = await open(servers.full.url, { colorScheme: 'dark' });
    const bg = await dark.page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(13, 17, 23)');
    await chartSizes(dark.page);
    await dark.page.screenshot({ path: path.join(SHOTS, 'dashboard-dark.png'), fullPage: true });
    expect(dark.errors).toEqual([]);
    await dark.page.close();

    const phone = await open(servers.full.url, { width: 390 });
    await chartSizes(phone.page);
    const overflow = await phone.page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(1);
    await phone.page.screenshot({ path: path.join(SHOTS, 'dashboard-phone.png'), fullPage: true });
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  });

  it('works from the keyboard: skip link first, then the pickers redraw their content', async () => {
    const { page, errors } = await open(servers.full.url);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('main');
    // One h1, one h2 per section, landmarks for the header, navigation, main and footer.
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('main section > .panel-head > h2').count()).toBe(SECTIONS.length);
    for (const landmark of ['body > header', 'nav[aria-label="Sections"]', 'main', 'body > footer']) {
      expect(await page.locator(landmark).count(), landmark).toBe(1);
    }
    // Each chart has a labelled image role and a table alternative.
    const unlabeled = await page.$$eval(
      '.chart, svg.svg-chart, .interval-plot',
      (els) => els.filter((e) => !e.getAttribute('aria-label')).length,
    );
    expect(unlabeled).toBe(0);
    expect(await page.locator('details.table-alt').count()).toBeGreaterThan(5);

    const before = await shown(page.locator('#comparison .eval-detail'));
    await page.focus('#eval-select');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => shown(page.locator('#comparison .eval-detail'))).not.toBe(before);
    const ticker = page.locator('#ticker-select');
    const second = await ticker.locator('option').nth(1).getAttribute('value');
    await ticker.selectOption(second!);
    await expect
      .poll(() => page.locator('#tickers .ticker-chart .chart').getAttribute('aria-label'))
      .toBe(`daily mean sentiment of ${second}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows an empty state with the command to run in every section of an empty export', async () => {
    const { page, errors } = await open(servers.empty.url);
    expect(await page.locator('section .callout.empty').count()).toBe(SECTIONS.length - 1); // the overview always has health
    await expect(shown(page.locator('#drift .callout'))).resolves.toMatch(
      /No drift computed yet\s+Run finsent monitor/,
    );
    await expect(shown(page.locator('#comparison .callout'))).resolves.toMatch(/No evaluation recorded yet/);
    await expect(shown(page.locator('#traffic .callout'))).resolves.toMatch(/No prediction logged yet/);
    await expect(shown(page.locator('#overview'))).resolves.toMatch(/not evaluated yet/);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-empty.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows what is wrong with a missing, invalid or outdated data file and keeps the other sections', async () => {
    const { page, errors } = await open(servers.broken.url);
    await expect(shown(page.locator('#drift [role="alert"]'))).resolves.toMatch(
      /unreadable[\s\S]*data\/drift\.json is not valid JSON/,
    );
    await expect(shown(page.locator('#quality [role="alert"]'))).resolves.toMatch(
      /No data file yet[\s\S]*run finsent export/,
    );
    await expect(shown(page.locator('#promotions [role="alert"]'))).resolves.toMatch(/schema version 99/);
    expect(await page.locator('#comparison .callout').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-broken.png'), fullPage: true });
    // The only console error is the browser's own note about the 404 of quality.json.
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
    await page.close();
  });
});
