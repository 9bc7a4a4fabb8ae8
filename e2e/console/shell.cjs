// The console's shell, checked at one width; see harness.cjs for what every check shares.
'use strict';
const { BASE, WAIT, provoke, check, shot, assert, signIn, signOut, api, adminToken } = require('./harness.cjs');

// The tenant's figures as the admin API reports them, read as the bootstrap superadmin.
async function apiStats() {
  const stats = await api('GET', '/v1/admin/stats', await adminToken());
  assert(stats.status === 200, `GET /v1/admin/stats answered ${stats.status}`);
  return stats.body.data;
}

const SCREENS = [
  ['Conversations', '/admin/conversations'],
  ['Reports', '/admin/reports'],
  ['Users', '/admin/users'],
  ['Tickets', '/admin/tickets'],
  ['Audit log', '/admin/audit-log'],
  ['Dashboard', '/admin/'],
];

// The shell: sign-in, navigation by mouse and keyboard, the dashboard, token refresh,
// sign-out and the no-access screen.
module.exports = async function shell(page, width) {
  const tag = `${width}`;

  await check(`${tag}: the sign-in screen`, async () => {
    await page.goto(`${BASE}/admin/`);
    await page.getByRole('heading', { name: 'Confab admin console' }).waitFor(WAIT);
    await shot(page, `${tag}-01-sign-in`);
  });

  await check(`${tag}: a wrong password is refused in words`, async () => {
    provoke([{ path: '/v1/auth/login', status: 401 }]);
    await page.getByLabel('Email').fill(process.env.ADMIN_EMAIL);
    await page.getByLabel('Password').fill('not-the-password');
    const answer = page.waitForResponse((r) => r.url().endsWith('/v1/auth/login'), WAIT);
    // Chromium also logs the refusal on the console; it must arrive while it is allowed.
    const logged = page.waitForEvent('console', { predicate: (m) => m.type() === 'error' && /status of 401/.test(m.text()), ...WAIT });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await answer;
    await logged;
    await page.getByText('The tenant, email or password is not right.').waitFor(WAIT);
    await shot(page, `${tag}-02-sign-in-refused`);
    provoke([]);
  });

  await check(`${tag}: the superadmin signs in and sees the shell`, async () => {
    await signIn(page, process.env.ADMIN_EMAIL);
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.waitFor(WAIT);
    for (const [name] of SCREENS) {
      await nav.getByRole('link', { name, exact: true }).waitFor(WAIT);
    }
    await page.getByText('superadmin', { exact: true }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor(WAIT);
  });

  await check(`${tag}: the dashboard answers in words`, async () => {
    const ready = page.locator('.card, .state-error');
    await ready.first().waitFor(WAIT);
    const text = await page.locator('main').innerText();
    assert(!/[{}]/.test(text), `raw JSON on the dashboard: ${text}`);
    assert((await page.locator('.state-error').count()) === 0, `the dashboard shows an error: ${text}`);
    // The figures on the screen are the API's.
    const stats = await apiStats();
    const total = page.locator('.card', { hasText: 'Messages total' });
    await total.waitFor(WAIT);
    const shown = (await total.innerText()).replace(/\D+/g, ' ').trim();
    assert(shown.split(' ').includes(String(stats.messages_total)), `messages total shown as "${shown}", API says ${stats.messages_total}`);
    await shot(page, `${tag}-03-dashboard`);
  });

  // The figures as the admin API will send them, answered in the browser, so the cards and
  // the chart are drawn (and checked) on a server that does not serve the statistics yet.
  await check(`${tag}: the dashboard draws figures as cards and messages per day as a chart`, async () => {
    const days = Array.from({ length: 30 }, (_, i) => ({
      date: new Date(Date.UTC(2026, 10, 2 + i)).toISOString().slice(0, 10),
      count: (i * 7) % 13,
    }));
    const stats = {
      conversations_by_kind: { direct: 4, group: 2, shop: 1, ticket: 3 },
      messages_total: 321,
      messages_last_24h: 12,
      active_users_24h: 5,
      users_by_role: { superadmin: 1, user: 7 },
      median_first_response_seconds: 125,
      messages_per_day: days,
    };
    await page.route('**/v1/admin/stats', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ success: true, data: stats }) }));
    await page.getByRole('button', { name: 'Try again' }).click().catch(() => page.reload());
    await page.locator('.card').first().waitFor(WAIT);
    await page.getByText('321', { exact: true }).waitFor(WAIT);
    await page.getByText('2 min 5 s', { exact: true }).waitFor(WAIT);
    const bars = await page.locator('svg .bar').count();
    assert(bars === 30, `${bars} bars`);
    await shot(page, `${tag}-03-dashboard-figures`);
    const zero = { ...stats, conversations_by_kind: { direct: 0 }, messages_total: 0, messages_last_24h: 0, active_users_24h: 0,
      users_by_role: { superadmin: 0 }, median_first_response_seconds: null, messages_per_day: days.map((d) => ({ ...d, count: 0 })) };
    await page.unroute('**/v1/admin/stats');
    await page.route('**/v1/admin/stats', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ success: true, data: zero }) }));
    await page.reload();
    await page.getByText('No activity yet').waitFor(WAIT);
    await shot(page, `${tag}-03-dashboard-empty`);
    await page.unroute('**/v1/admin/stats');
  });

  await check(`${tag}: every section opens from the navigation`, async () => {
    const nav = page.getByRole('navigation', { name: 'Sections' });
    for (const [name, where] of SCREENS) {
      await nav.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { name, level: 1 }).waitFor(WAIT);
      assert(new URL(page.url()).pathname === where, `${name} at ${page.url()}`);
      const current = await nav.getByRole('link', { name, exact: true }).getAttribute('aria-current');
      assert(current === 'page', `${name} not marked current`);
      await shot(page, `${tag}-04-${where.replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'dashboard'}`);
    }
  });

  await check(`${tag}: the keyboard reaches and opens a section`, async () => {
    await page.goto(`${BASE}/admin/`);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor(WAIT);
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement && document.activeElement.textContent === 'Users');
    }
    assert(reached, 'Tab never reached the Users link');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor(WAIT);
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    assert(focused === 'screen-title', `focus after navigation on ${focused}`);
  });

  await check(`${tag}: a reload keeps the screen and the session`, async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor(WAIT);
    await page.goto(`${BASE}/admin/no-such-screen`);
    await page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor(WAIT);
    await shot(page, `${tag}-05-not-found`);
  });

  if (width >= 1000) {
    await check(`${tag}: the access token is refreshed before it expires`, async () => {
      const refreshed = await page.waitForResponse((r) => r.url().endsWith('/v1/auth/refresh'), { timeout: 30000 });
      assert(refreshed.status() === 200, `refresh answered ${refreshed.status()}`);
    });
  }

  await check(`${tag}: the layout fits the width`, async () => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `${overflow}px wider than the window`);
  });

  await check(`${tag}: signing out revokes the session`, async () => {
    const refreshToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem('confab.admin.session')).refresh_token);
    const revoked = page.waitForResponse((r) => r.url().endsWith('/v1/auth/logout'), WAIT);
    await signOut(page);
    assert((await revoked).status() === 204, 'logout not accepted');
    const again = await fetch(`${BASE}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
    assert(again.status === 401, `the old refresh token still answered ${again.status}`);
    assert((await page.evaluate(() => sessionStorage.getItem('confab.admin.session'))) === null, 'tokens left in storage');
  });

  await check(`${tag}: a user below moderator is told they have no access`, async () => {
    await signIn(page, process.env.USER_EMAIL);
    await page.getByRole('heading', { name: 'No access', level: 1 }).waitFor(WAIT);
    await page.getByText('only for moderators').waitFor(WAIT);
    assert((await page.getByRole('navigation', { name: 'Sections' }).count()) === 0, 'navigation shown to a user');
    await shot(page, `${tag}-06-no-access`);
    await signOut(page);
  });
};

