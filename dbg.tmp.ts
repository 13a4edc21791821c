import { chromium } from 'playwright-core';
import { startDashboardServer } from './dashboard/serve';

const full = await startDashboardServer({});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
await page.goto(full.url);
await page.waitForSelector('body[data-ready="true"]');
await page.waitForTimeout(500);
for (const [i, id] of ['overview', 'comparison', 'traffic', 'tickers'].entries()) {
  await page.evaluate(`document.getElementById('${id}').scrollIntoView()`);
  await page.waitForTimeout(100);
  await page.screenshot({ path: `/tmp/phone-${i}.png` });
}
await browser.close();
await full.close();
