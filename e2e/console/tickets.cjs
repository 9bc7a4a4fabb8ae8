// The Tickets screen: a ticket opened through the API by a chat user is found in the queue,
// assigned to the signed-in agent, given another priority and status, and answered; each
// change checked through the API. A message from the requester arrives live, and the status
// filter leaves the ticket out when it does not match.
'use strict';
const { WAIT, check, shot, assert, openAsAdmin, api, adminToken, chatUser, unique } = require('./harness.cjs');

module.exports = async function tickets(page, width) {
  const tag = `${width}`;
  const requester = await chatUser(unique('requester'));
  const subject = `Refund for order ${unique('no')}`;
  const category = unique('e2e');
  const admin = await adminToken();
  const me = (await api('GET', '/v1/auth/me', admin)).body.data.user;
  const opened = await api('POST', '/v1/tickets', requester.token, {
    subject, priority: 'medium', category, initial_message: 'I was charged twice for my order.',
  });
  assert(opened.status === 201, `opening a ticket answered ${opened.status}`);
  const ticket = opened.body.data;
  // Access tokens live 65 seconds in this run; logins are limited, so one is reused a while.
  let token = { value: admin, at: Date.now() };
  const fresh = async () => {
    if (Date.now() - token.at > 45000) token = { value: await adminToken(), at: Date.now() };
    return token.value;
  };
  const read = async () => (await api('GET', `/v1/tickets/${ticket.id}`, await fresh())).body.data;
  const panel = page.getByRole('complementary');

  await check(`${tag}: the tickets screen lists the queue and finds a ticket by category`, async () => {
    await openAsAdmin(page, 'Tickets');
    await page.getByRole('table').or(page.locator('.state')).first().waitFor(WAIT);
    await shot(page, `${tag}-40-tickets`);
    await page.getByLabel('Category').fill(category);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: subject, exact: true }).waitFor(WAIT);
    // The ticket is the newest, so it shows in the unfiltered queue too: wait for the
    // filtered page to replace it.
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1, null, WAIT).catch(() => {});
    const rows = await page.locator('tbody tr').count();
    assert(rows === 1, `${rows} rows for a unique category`);
    const row = page.locator('tbody tr').first();
    await row.getByText(requester.username).waitFor(WAIT);
    await row.getByText('Medium').waitFor(WAIT);
    await row.getByText('Unassigned').waitFor(WAIT);
  });

  await check(`${tag}: opening a ticket shows its conversation`, async () => {
    await page.getByRole('button', { name: subject, exact: true }).click();
    await panel.getByRole('heading', { name: subject }).waitFor(WAIT);
    await panel.getByText('I was charged twice for my order.').waitFor(WAIT);
    await shot(page, `${tag}-41-ticket-open`);
  });

  await check(`${tag}: an agent assigns the ticket to themselves`, async () => {
    await panel.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByText('The ticket is assigned to you.').waitFor(WAIT);
    const now = await read();
    assert(now.assignee_id === me.id, `assignee is ${now.assignee_id}`);
    await page.locator('tbody tr').first().getByText('You', { exact: true }).waitFor(WAIT);
  });

  await check(`${tag}: an agent changes the priority`, async () => {
    await panel.getByRole('combobox', { name: 'Priority', exact: true }).selectOption('urgent');
    await panel.getByRole('button', { name: 'Change priority' }).click();
    await page.getByText('The priority is now urgent.').waitFor(WAIT);
    const now = await read();
    assert(now.priority === 'urgent', `priority is ${now.priority}`);
  });

  await check(`${tag}: an agent moves the ticket along the allowed statuses`, async () => {
    const offered = await panel.getByRole('combobox', { name: 'Move to', exact: true }).locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert(offered.join(',') === 'pending,resolved,closed', `an open ticket offers ${offered}`);
    await panel.getByRole('combobox', { name: 'Move to', exact: true }).selectOption('pending');
    await panel.getByRole('button', { name: 'Change status' }).click();
    await page.getByText('The ticket is now pending.').waitFor(WAIT);
    const now = await read();
    assert(now.status === 'pending', `status is ${now.status}`);
    await panel.getByText(/changed the status from open to pending/).waitFor(WAIT);
  });

  await check(`${tag}: an agent replies in the ticket's conversation`, async () => {
    const words = `We have refunded the second charge (${unique('ref')}).`;
    await panel.getByLabel('Reply to the requester').fill(words);
    await panel.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Your reply is sent.').waitFor(WAIT);
    await panel.getByText(words).waitFor(WAIT);
    const seen = await api('GET', `/v1/chat/conversations/${ticket.conversation_id}/messages`, requester.token);
    assert(seen.status === 200, `the requester's read answered ${seen.status}`);
    const reply = seen.body.data.find((m) => m.body === words);
    assert(reply && reply.sender_id === me.id, 'the reply is not in the conversation as the agent');
    const now = await read();
    assert(now.first_response_at, 'no first response time after the reply');
    await shot(page, `${tag}-42-ticket-replied`);
  });

  await check(`${tag}: a message from the requester arrives live`, async () => {
    const words = `Thank you! ${unique('thanks')}`;
    const sent = await api('POST', `/v1/chat/conversations/${ticket.conversation_id}/messages`, requester.token, { body: words });
    assert(sent.status === 201, `the requester's message answered ${sent.status}`);
    await panel.getByText(words).waitFor(WAIT);
  });

  await check(`${tag}: the status filter leaves out tickets of another status`, async () => {
    await page.locator('#tickets-status').selectOption('resolved');
    await page.getByText('No tickets match these filters.').waitFor(WAIT);
    await page.locator('#tickets-status').selectOption('pending');
    await page.getByRole('button', { name: subject, exact: true }).waitFor(WAIT);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `${overflow}px wider than the window`);
    await shot(page, `${tag}-43-tickets-filtered`);
  });
};
