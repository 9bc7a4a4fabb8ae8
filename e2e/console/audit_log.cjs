// The Audit log screen: a suspension and its lift, made through the API, are listed in
// words with the fields they changed, and the action filter narrows the list. Nothing on
// the screen is raw JSON.
'use strict';
const { WAIT, check, shot, assert, openAsAdmin, api, adminToken, chatUser, unique } = require('./harness.cjs');

module.exports = async function auditLog(page, width) {
  const tag = `${width}`;
  const admin = await adminToken();
  const user = await chatUser(unique('audited'));
  const suspended = await api('PATCH', `/v1/admin/users/${user.id}`, admin, { status: 'suspended', reason: 'e2e: audit trail' });
  assert(suspended.status === 200, `suspending answered ${suspended.status}`);
  const lifted = await api('PATCH', `/v1/admin/users/${user.id}`, admin, { status: 'active' });
  assert(lifted.status === 200, `lifting answered ${lifted.status}`);
  const rows = page.locator('tbody tr');
  // A row of `action` about the seeded user (the target cell carries the whole id).
  const entry = (action) => rows.filter({ has: page.locator('code', { hasText: new RegExp(`^${action.replace('.', '\\.')}$`) }) })
    .filter({ has: page.locator(`td[title="${user.id}"]`) });

  await check(`${tag}: the audit log lists privileged actions in words`, async () => {
    await openAsAdmin(page, 'Audit log');
    await page.getByRole('table').or(page.locator('.state')).first().waitFor(WAIT);
    await page.getByLabel('Target id').fill(user.id);
    await page.getByRole('button', { name: 'Apply' }).click();
    const suspension = entry('user.suspend');
    await suspension.waitFor(WAIT);
    await suspension.getByText('Suspended a user').waitFor(WAIT);
    await suspension.getByText('active → suspended').waitFor(WAIT);
    await suspension.getByText('e2e: audit trail').waitFor(WAIT);
    const lift = entry('user.lift');
    await lift.getByText('suspended → active').waitFor(WAIT);
    const text = await page.locator('main').innerText();
    assert(!/[{}]/.test(text), 'raw JSON braces on screen');
    await shot(page, `${tag}-50-audit-log`);
  });

  await check(`${tag}: the audit log filters by action`, async () => {
    await page.getByLabel('Action').selectOption('user.lift');
    await entry('user.suspend').waitFor({ state: 'detached', ...WAIT });
    const codes = await page.locator('tbody code').allInnerTexts();
    assert(codes.length === 1 && codes[0] === 'user.lift', `codes on screen: ${codes.join(', ')}`);
    await page.getByLabel('Action').selectOption('api_key.revoke');
    await page.getByText('No entries match these filters.').waitFor(WAIT);
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Target id').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await rows.first().waitFor(WAIT);
    const text = await page.locator('main').innerText();
    assert(!/[{}]/.test(text), 'raw JSON braces on screen');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `${overflow}px wider than the window`);
    await shot(page, `${tag}-51-audit-log-all`);
  });
};
