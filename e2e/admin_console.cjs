// Drives the admin console in headless Chromium; started by admin_console.sh, which sets
// BASE, OUT, KEY, TOOLS, CHROMIUM, ADMIN_EMAIL, USER_EMAIL, PASSWORD, WORK, PRE_PASSED and
// PRE_FAILED. Each flow in console/ runs at 1280 and at 390 px wide, in its own page.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require(path.join(process.env.TOOLS, 'node_modules', 'playwright-core'));
const { tally, problems, watch } = require('./console/harness.cjs');

// In order: the shell first, then a screen each.
const FLOWS = ['shell', 'conversations', 'reports', 'users', 'tickets', 'audit_log'];

(async () => {
  const userDataDir = fs.mkdtempSync(path.join(process.env.WORK, 'chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const [width, height] of [[1280, 800], [390, 844]]) {
      for (const name of FLOWS) {
        const file = path.join(__dirname, 'console', `${name}.cjs`);
        if (!fs.existsSync(file)) continue;
        const page = await browser.newPage();
        await page.setViewportSize({ width, height });
        watch(page);
        await require(file)(page, width);
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  for (const p of problems) console.log(`  ${p}`);
  console.log(`admin_console: ${tally.passed} passed, ${tally.failed} failed`);
  process.exit(tally.failed === 0 ? 0 : 1);
})().catch((err) => {
  console.log(`admin_console: could not run: ${err.message}`);
  process.exit(1);
});
