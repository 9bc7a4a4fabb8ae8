// What every browser flow of the console shares: the run's settings, checks that count and
// fail on console errors or failed requests, screenshots, sign-in, and calls to the API
// for seeding and for reading what the screen should show. Every wait is bounded; nothing
// asserts on time.
'use strict';
const path = require('path');

const BASE = process.env.BASE;
const OUT = process.env.OUT;
const KEY = process.env.KEY;
const WAIT = { timeout: 15000 };

const tally = { passed: Number(process.env.PRE_PASSED || 0), failed: Number(process.env.PRE_FAILED || 0) };
const problems = [];
// Failures a single step provokes on purpose (a wrong password), allowed only during it.
let provoked = [];

function provoke(list) {
  provoked = list;
}

function expected(url, status) {
  const p = new URL(url).pathname;
  return provoked.some((f) => (f.path instanceof RegExp ? f.path.test(p) : f.path === p) && f.status === status);
}

function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const at = msg.location() && msg.location().url;
    // Chromium reports each refused fetch as a console error too; those are judged below.
    const status = /status of (\d+)/.exec(msg.text());
    if (at && status && expected(at, Number(status[1]))) return;
    problems.push(`console error: ${msg.text()} (${at || 'no location'})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A socket the console closes on purpose (sign-out, leaving the shell) is not a failure.
    if (req.url().includes('/v1/chat/ws')) return;
    // A request the browser dropped because the page moved on (a reload, a link followed
    // by the test) never reached an answer; it is not the console failing.
    if (req.failure() && req.failure().errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure() && req.failure().errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !expected(res.url(), res.status())) {
      problems.push(`failed request: ${res.request().method()} ${res.url()} → ${res.status()}`);
    }
  });
}

async function check(name, fn) {
  const before = problems.length;
  try {
    await fn();
    if (problems.length > before) throw new Error(problems.slice(before).join('; '));
    tally.passed += 1;
    console.log(`ok   ${name}`);
  } catch (err) {
    tally.failed += 1;
    console.log(`FAIL ${name}: ${err.message.split('\n')[0]}`);
  }
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

function assert(cond, what) {
  if (!cond) throw new Error(what);
}

async function signIn(page, email) {
  await page.goto(`${BASE}/admin/`);
  await page.getByLabel('Tenant').fill('default');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(process.env.PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
}

// Signs in as the bootstrap superadmin unless already signed in, and opens `screen` (its
// link text in the navigation).
async function openAsAdmin(page, screen) {
  await page.goto(`${BASE}/admin/`);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  const form = page.getByRole('button', { name: 'Sign in' });
  await nav.or(form).first().waitFor(WAIT);
  if (await form.isVisible()) {
    await signIn(page, process.env.ADMIN_EMAIL);
    await nav.waitFor(WAIT);
  }
  if (screen) {
    await nav.getByRole('link', { name: screen, exact: true }).click();
    await page.getByRole('heading', { name: screen, level: 1 }).waitFor(WAIT);
  }
}

// A call to the API: `auth` is a bearer token, or `{ key }` for the secret key. Returns
// `{ status, body }`.
async function api(method, route, auth, body) {
  const headers = { 'content-type': 'application/json' };
  if (auth && auth.key) headers['x-api-key'] = auth.key;
  else if (auth) headers.authorization = `Bearer ${auth}`;
  const res = await fetch(`${BASE}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// The bootstrap superadmin's access token.
async function adminToken() {
  const r = await api('POST', '/v1/auth/login', null, { tenant: 'default', email: process.env.ADMIN_EMAIL, password: process.env.PASSWORD });
  assert(r.status === 200, `admin login answered ${r.status}`);
  return r.body.data.access_token;
}

// Creates (or updates) a user by external id with the secret key and mints a chat token
// for it; returns `{ id, token, username }`.
async function chatUser(externalId, extra = {}) {
  const made = await api('POST', '/v1/users', { key: KEY }, { external_id: externalId, username: externalId, ...extra });
  assert(made.status === 200 || made.status === 201, `creating ${externalId} answered ${made.status}`);
  const id = made.body.data.id;
  const minted = await api('POST', '/v1/users/chat-token', { key: KEY }, { user_id: id });
  assert(minted.status === 200 || minted.status === 201, `minting a token for ${externalId} answered ${minted.status}`);
  return { id, token: minted.body.data.chat_token, username: made.body.data.username };
}

// A direct conversation between two chat users (`{ id, token }`), opened by the first;
// returns its id.
async function directConversation(a, b) {
  const r = await api('POST', '/v1/chat/conversations', a.token, { user_id: b.id });
  assert(r.status === 200 || r.status === 201, `opening a conversation answered ${r.status}`);
  return r.body.data.id;
}

// Sends `body` into a conversation as a chat user; returns the message.
async function send(user, conversationId, body) {
  const r = await api('POST', `/v1/chat/conversations/${conversationId}/messages`, user.token, { body });
  assert(r.status === 201 || r.status === 200, `sending a message answered ${r.status}`);
  return r.body.data;
}

let uniq = 0;
// A name unique within this run, for seeded data.
function unique(prefix) {
  uniq += 1;
  return `${prefix}${Date.now().toString(36)}${uniq}`;
}

module.exports = {
  BASE, OUT, KEY, WAIT, tally, problems, provoke, watch, check, shot, assert, signIn, signOut, openAsAdmin, api, adminToken, chatUser,
  unique, directConversation, send,
};
