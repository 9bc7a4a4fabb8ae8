// The Reports screen: a report filed through the API appears live in the queue with the
// message in context, and resolving it by suspending the author refuses that author's next
// API call.
'use strict';
const { WAIT, check, shot, assert, openAsAdmin, api, adminToken, chatUser, unique, directConversation, send } = require('./harness.cjs');

module.exports = async function reports(page, width) {
  const tag = `${width}`;
  const reporter = await chatUser(unique('reporter'));
  const author = await chatUser(unique('author'));
  const conversation = await directConversation(reporter, author);
  const text = `buy cheap watches ${unique('spam')}`;
  let message;

  await check(`${tag}: the reports screen opens on the queue`, async () => {
    await openAsAdmin(page, 'Reports');
    await page.locator('.queue, .state').first().waitFor(WAIT);
    await shot(page, `${tag}-30-reports`);
  });

  await check(`${tag}: a new report appears live with the message in context`, async () => {
    await send(author, conversation, 'hello there');
    message = await send(author, conversation, text);
    const filed = await api('POST', '/v1/chat/reports', reporter.token, { message_id: message.id, reason: 'spam', note: 'selling things' });
    assert(filed.status === 201, `reporting answered ${filed.status}`);
    const entry = page.locator('.queue-entry', { hasText: text });
    await entry.waitFor(WAIT);
    await entry.getByText('hello there').waitFor(WAIT);
    await entry.getByText('selling things').waitFor(WAIT);
    await shot(page, `${tag}-31-reports-new`);
  });

  await check(`${tag}: suspending the author resolves the report and refuses their next call`, async () => {
    const entry = page.locator('.queue-entry', { hasText: text });
    await entry.getByLabel('Suspension length').selectOption({ label: '7 days' });
    await entry.getByRole('button', { name: 'Suspend author' }).click();
    await page.getByText(`${author.username} is suspended for 7 days.`).waitFor(WAIT);
    const refused = await api('GET', '/v1/chat/conversations', author.token);
    assert(refused.status === 403, `the suspended author's call answered ${refused.status}`);
    const queue = await api('GET', '/v1/admin/reports', await adminToken());
    assert(!queue.body.data.some((e) => e.message && e.message.id === message.id), 'the report is still open');
    await shot(page, `${tag}-32-reports-resolved`);
  });
};
