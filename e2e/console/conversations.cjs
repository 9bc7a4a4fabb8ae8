// The Conversations screen: a conversation seeded through the API is found by a member's
// name and opened from the keyboard; its message shows its sender's name, a message sent
// meanwhile appears without a reload, a message removed from the console shows as deleted
// (and is deleted for the API too), and the kind filter narrows the list.
'use strict';
const { WAIT, check, shot, assert, openAsAdmin, api, adminToken, chatUser, unique, directConversation, send } = require('./harness.cjs');

module.exports = async function conversations(page, width) {
  const tag = `${width}`;
  const ann = await chatUser(unique('ann'));
  const bob = await chatUser(unique('bob'));
  const conversation = await directConversation(ann, bob);
  const first = `hello from ann ${unique('m')}`;
  const firstMessage = await send(ann, conversation, first);
  const row = () => page.locator('tbody tr', { hasText: 'Direct conversation' });

  await check(`${tag}: the conversations screen finds a conversation by a member's name`, async () => {
    await openAsAdmin(page, 'Conversations');
    await page.getByRole('table').or(page.locator('.state')).first().waitFor(WAIT);
    await page.getByLabel('Search').fill(ann.username);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // The unfiltered list has other direct conversations: wait for the search's answer.
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1, null, WAIT).catch(() => {});
    await row().first().waitFor(WAIT);
    const rows = await page.locator('tbody tr').count();
    assert(rows === 1, `${rows} rows for a unique member name`);
    await row().getByText('1', { exact: true }).waitFor(WAIT);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await shot(page, `${tag}-10-conversations`);
  });

  await check(`${tag}: opening it from the keyboard shows the message with its sender's name`, async () => {
    await row().getByRole('button', { name: 'Direct conversation' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Direct conversation', level: 1 }).waitFor(WAIT);
    const message = page.locator(`.message[data-message-id="${firstMessage.id}"]`);
    await message.getByText(first).waitFor(WAIT);
    await message.locator('.message-sender', { hasText: ann.username }).waitFor(WAIT);
    await page.getByRole('region', { name: 'Members' }).getByText(bob.username).first().waitFor(WAIT);
    assert(page.url().includes(`open=${conversation}`), `the address does not name the conversation: ${page.url()}`);
  });

  let second;
  const word = unique('answer');
  await check(`${tag}: a message sent meanwhile appears without a reload`, async () => {
    await page.getByText('Live: new messages and changes appear as they happen.').waitFor(WAIT);
    const text = `bob answers ${word}`;
    second = await send(bob, conversation, text);
    const message = page.locator(`.message[data-message-id="${second.id}"]`);
    await message.getByText(text).waitFor(WAIT);
    await message.locator('.message-sender', { hasText: bob.username }).waitFor(WAIT);
    await shot(page, `${tag}-11-conversation-open`);
  });

  await check(`${tag}: a message removed from the console shows as deleted, for the API too`, async () => {
    const message = page.locator(`.message[data-message-id="${firstMessage.id}"]`);
    await message.getByRole('button', { name: 'Delete', exact: true }).click();
    await message.getByRole('button', { name: 'Cancel' }).click();
    await message.getByRole('button', { name: 'Delete', exact: true }).click();
    await message.getByRole('button', { name: 'Delete for everyone?' }).click();
    await page.getByText('The message is deleted for everyone.').waitFor(WAIT);
    await page.locator(`.message[data-message-id="${firstMessage.id}"]`).getByText('Message deleted').waitFor(WAIT);
    const read = await api('GET', `/v1/admin/conversations/${conversation}/messages`, await adminToken());
    const stored = read.body.data.find((m) => m.id === firstMessage.id);
    assert(stored && stored.deleted === true && stored.body === '', `the API shows ${JSON.stringify(stored && stored.deleted)}`);
    const seen = await api('GET', `/v1/chat/conversations/${conversation}/messages`, bob.token);
    const asBob = seen.body.data.find((m) => m.id === firstMessage.id);
    assert(asBob && asBob.deleted === true, 'a member still sees the removed message');
    await shot(page, `${tag}-12-conversation-deleted`);
  });

  await check(`${tag}: the kind filter narrows the list and says when nothing matches`, async () => {
    await page.getByRole('button', { name: 'All conversations' }).click();
    await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor(WAIT);
    await row().first().waitFor(WAIT);
    await page.getByLabel('Kind').selectOption('group');
    await page.getByText('No conversations match.').waitFor(WAIT);
    await page.getByLabel('Kind').selectOption('direct');
    await row().first().waitFor(WAIT);
    const kinds = await page.locator('tbody tr .badge').allTextContents();
    assert(kinds.length > 0 && kinds.every((k) => k === 'Direct'), `kinds shown: ${kinds.join(', ')}`);
    await shot(page, `${tag}-13-conversations-direct`);
  });

  await check(`${tag}: message search finds the live message and opens its conversation`, async () => {
    await page.getByLabel('Look in').selectOption('messages');
    await page.getByLabel('Search').fill(word);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const hit = page.locator('.hit', { hasText: word });
    await hit.waitFor(WAIT);
    const marked = await hit.locator('mark').allTextContents();
    assert(marked.some((m) => m.toLowerCase() === word.toLowerCase()), `matched words marked: ${marked.join(', ')}`);
    await shot(page, `${tag}-14-message-search`);
    await hit.getByRole('button', { name: 'Open conversation' }).click();
    await page.locator(`.message[data-message-id="${second.id}"]`).waitFor(WAIT);
    await page.getByRole('button', { name: 'All conversations' }).click();
    await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor(WAIT);
  });
};
