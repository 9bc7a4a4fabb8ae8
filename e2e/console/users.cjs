// The Users screen: find a seeded user, change their role, suspend them with an end time
// (their next API call is refused), and lift the suspension; each change checked through
// the API.
'use strict';
const { WAIT, check, shot, assert, openAsAdmin, signIn, signOut, provoke, api, chatUser, unique } = require('./harness.cjs');

module.exports = async function users(page, width) {
  const tag = `${width}`;
  const name = unique('member');
  let user;

  await check(`${tag}: the users screen finds a user by search`, async () => {
    user = await chatUser(name);
    await openAsAdmin(page, 'Users');
    await page.getByRole('table').or(page.locator('.state')).first().waitFor(WAIT);
    await shot(page, `${tag}-20-users`);
    await page.getByLabel('Search').fill(name);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name, exact: true }).waitFor(WAIT);
    // The unfiltered list may show the new user too: wait for the search's answer.
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1, null, WAIT).catch(() => {});
    const rows = await page.locator('tbody tr').count();
    assert(rows === 1, `${rows} rows for a unique name`);
  });

  await check(`${tag}: an admin changes a user's role`, async () => {
    await page.getByRole('button', { name, exact: true }).click();
    const panel = page.getByRole('complementary');
    await panel.getByRole('heading', { name }).waitFor(WAIT);
    // The select, not the section heading that also says Role.
    await panel.getByRole('combobox', { name: 'Role', exact: true }).selectOption('staff');
    await panel.getByRole('button', { name: 'Change role' }).click();
    await page.getByText(`${name} is now staff.`).waitFor(WAIT);
    const read = await api('GET', `/v1/users/${user.id}`, { key: process.env.KEY });
    assert(read.body.data.role === 'staff', `role is ${read.body.data.role}`);
    await shot(page, `${tag}-21-users-role-changed`);
  });

  await check(`${tag}: an admin changes a user's permissions`, async () => {
    const panel = page.getByRole('complementary');
    await panel.getByLabel('Send messages').uncheck();
    await panel.getByRole('button', { name: 'Save permissions' }).click();
    await page.getByText(`Permissions of ${name} saved.`).waitFor(WAIT);
    const read = await api('GET', `/v1/users/${user.id}`, { key: process.env.KEY });
    assert(read.body.data.permissions.can_send_message === false, 'can_send_message still true');
    const refused = await api('POST', '/v1/chat/conversations', user.token, { kind: 'group', name: 'x' });
    assert(refused.status !== 500, 'a 500');
  });

  await check(`${tag}: a suspension with an end time refuses the user's next call`, async () => {
    const panel = page.getByRole('complementary');
    await panel.getByLabel('Suspend until').fill('2099-01-01T12:00');
    await panel.getByLabel('Reason').fill('e2e: flooding');
    await panel.getByRole('button', { name: 'Suspend' }).click();
    await page.getByText(`${name} is suspended until`).first().waitFor(WAIT);
    const read = await api('GET', `/v1/users/${user.id}`, { key: process.env.KEY });
    assert(read.body.data.status === 'suspended', `status is ${read.body.data.status}`);
    assert(read.body.data.suspended_until && read.body.data.suspended_until.startsWith('2099-01-01'), `until ${read.body.data.suspended_until}`);
    const refused = await api('GET', '/v1/chat/conversations', user.token);
    assert(refused.status === 403, `the suspended user's call answered ${refused.status}`);
    await shot(page, `${tag}-22-users-suspended`);
  });

  await check(`${tag}: lifting the suspension lets the user back in`, async () => {
    const panel = page.getByRole('complementary');
    await panel.getByRole('button', { name: 'Lift' }).click();
    await page.getByText(`${name} is active again.`).waitFor(WAIT);
    const allowed = await api('GET', '/v1/chat/conversations', user.token);
    assert(allowed.status === 200, `the lifted user's call answered ${allowed.status}`);
  });

  await check(`${tag}: the users screen filters by status and says when nothing matches`, async () => {
    await page.getByLabel('Search').fill(`${name}-nobody`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('No users match these filters.').waitFor(WAIT);
    await page.getByLabel('Search').fill('');
    await page.locator('#users-status').selectOption('banned');
    await page.getByText('No users match these filters.').or(page.locator('tbody tr')).first().waitFor(WAIT);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `${overflow}px wider than the window`);
  });

  await check(`${tag}: a moderator is refused a role change in words`, async () => {
    const email = `${unique('mod')}@example.com`;
    const made = await api('POST', '/v1/users', { key: process.env.KEY },
      { external_id: unique('moderator'), email, role: 'moderator', password: process.env.PASSWORD });
    assert(made.status === 201, `creating a moderator answered ${made.status}`);
    await signOut(page);
    await signIn(page, email);
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByLabel('Search').fill(name);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name, exact: true }).click();
    const panel = page.getByRole('complementary');
    await panel.getByRole('combobox', { name: 'Role', exact: true }).selectOption('moderator');
    provoke([{ path: `/v1/admin/users/${user.id}`, status: 403 }]);
    await panel.getByRole('button', { name: 'Change role' }).click();
    await page.getByText('Your account may not do this.').waitFor(WAIT);
    provoke([]);
    const read = await api('GET', `/v1/users/${user.id}`, { key: process.env.KEY });
    assert(read.body.data.role === 'staff', `role became ${read.body.data.role}`);
    await shot(page, `${tag}-23-users-refused`);
    await signOut(page);
  });
};
