// Headless-browser test of the activity feed page (nginx/www) against a running stack.
//
// Run by tests/browser/run.sh, which starts a private stack, seeds calls with callsim and passes:
//   FEED_URL, FEED_USER, FEED_PASSWORD   the page and its basic-auth login
//   EXPECTED_CALLS                       JSON array, in the order the calls were made: [{name, outcome}]
//   CALLSIM_CMD                          JSON array: the callsim command line (binary, --base-url, --cacert, …) used
//                                        to place one more call while the page is open
// Debian's chromium with playwright-core (no downloaded browser); credentials go in httpCredentials, never in the
// URL (Chromium then refuses the page's relative fetch() calls).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run tests/browser/run.sh)`);
  return value;
}

const FEED_URL = new URL(required('FEED_URL')).href;
const USER = required('FEED_USER');
const PASSWORD = required('FEED_PASSWORD');
const EXPECTED = JSON.parse(required('EXPECTED_CALLS'));
const CALLSIM = process.env.CALLSIM_CMD ? JSON.parse(process.env.CALLSIM_CMD) : null;
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_CITY = '<b>bold</b>';

const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
};
// A fixed zone and locale: the page computes "today" from the browser's clock, in the browser's zone.
const CONTEXT = {
  httpCredentials: { username: USER, password: PASSWORD },
  ignoreHTTPSErrors: true,
  timezoneId: 'America/Chicago',
  locale: 'en-US',
  viewport: { width: 1280, height: 900 },
};

let browser;
let context;
let page;
const dialogs = [];
const pageErrors = [];
const cspViolations = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch(LAUNCH);
  context = await browser.newContext(CONTEXT);
  page = await context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  const response = await page.goto(FEED_URL);
  assert.equal(response.status(), 200, 'the page loads with the credentials');
  await waitForList('all');
});

after(async () => {
  if (page) {
    const file = path.join(artifacts, 'feed.png');
    await page.evaluate(() => window.scrollTo(0, 0)).catch(() => {});
    await page.screenshot({ path: file, fullPage: true }).catch((error) => console.error(`screenshot: ${error}`));
    console.log(`screenshot: ${file}`);
    await page.setViewportSize({ width: 390, height: 844 }).catch(() => {});
    await page.evaluate(() => window.scrollTo(0, 0)).catch(() => {});
    await page.waitForTimeout(300);
    const mobile = path.join(artifacts, 'feed-mobile.png');
    await page.screenshot({ path: mobile, fullPage: true }).catch(() => {});
    console.log(`screenshot (phone width): ${mobile}`);
  }
  await browser?.close();
});

async function waitForList(filter) {
  await page.waitForSelector(`#calls[data-state="ready"][data-filter="${filter}"]`, { state: 'attached', timeout: 10000 });
}

async function rows() {
  return page.$$eval('#calls > li.call', (items) => items.map((item) => ({
    sid: item.dataset.sid,
    outcome: item.dataset.outcome,
    name: item.querySelector('.caller-name')?.textContent ?? '',
    place: item.querySelector('.caller-place')?.textContent ?? '',
    badge: item.querySelector('.badge')?.textContent ?? '',
    badgeOutcome: item.querySelector('.badge')?.dataset.outcome ?? '',
    audioSrc: item.querySelector('audio')?.getAttribute('src') ?? null,
    audioPreload: item.querySelector('audio')?.getAttribute('preload') ?? null,
    audioControls: item.querySelector('audio')?.hasAttribute('controls') ?? false,
    unheard: item.querySelector('.vm-marker.is-unheard') !== null,
    transcription: item.querySelector('.transcription-text')?.textContent ?? null,
  })));
}

async function apiCalls(query = '') {
  const response = await context.request.get(new URL(`/api/calls?limit=200${query}`, FEED_URL).href);
  assert.equal(response.status(), 200, `GET /api/calls${query}`);
  return (await response.json()).calls;
}

async function chooseOutcome(value) {
  await page.click(`#outcome-filter label:has(input[value="${value}"])`);
  await waitForList(value);
}

const LABELS = { answered: 'Answered', missed: 'Missed', voicemail: 'Voicemail', abandoned: 'Abandoned', 'in-progress': 'In progress' };

test('without credentials the page and the API answer 401', async () => {
  const anonymous = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    // In the browser: the page's request is refused with 401 (headless Chromium then gives up on the navigation).
    const anonymousPage = await anonymous.newPage();
    const statuses = [];
    anonymousPage.on('response', (response) => statuses.push([response.url(), response.status()]));
    const response = await anonymousPage.goto(FEED_URL).catch((error) => {
      assert.match(error.message, /ERR_INVALID_AUTH_CREDENTIALS/);
      return null;
    });
    if (response) assert.equal(response.status(), 401);
    else assert.deepEqual(statuses.find(([url]) => url === FEED_URL), [FEED_URL, 401], JSON.stringify(statuses));
    assert.equal(await anonymousPage.locator('#calls').count(), 0, 'nothing of the page is shown');
    // And plain HTTP: the page, a static file and the API all ask for a login.
    for (const url of [FEED_URL, new URL('app.js', FEED_URL).href, new URL('/api/calls', FEED_URL).href]) {
      const plain = await anonymous.request.get(url);
      assert.equal(plain.status(), 401, url);
      assert.match(plain.headers()['www-authenticate'] || '', /^Basic /, url);
    }
  } finally {
    await anonymous.close();
  }
});

test('every seeded call is listed, newest first', async () => {
  const shown = await rows();
  assert.equal(shown.length, EXPECTED.length, `rows: ${shown.map((row) => row.name).join(', ')}`);
  assert.deepEqual(shown.map((row) => row.name), EXPECTED.map((call) => call.name).reverse());
  const api = await apiCalls();
  assert.deepEqual(shown.map((row) => row.sid), api.map((call) => call.sid), 'the page keeps the API\'s order');
});

test('each call has a badge with its outcome', async () => {
  const byName = new Map((await rows()).map((row) => [row.name, row]));
  for (const call of EXPECTED) {
    const row = byName.get(call.name);
    assert.ok(row, `a row for ${call.name}`);
    assert.equal(row.outcome, call.outcome, `${call.name}'s outcome`);
    assert.equal(row.badgeOutcome, call.outcome, `${call.name}'s badge`);
    assert.equal(row.badge, LABELS[call.outcome], `${call.name}'s badge text`);
  }
});

test('voicemail rows have an audio player for the call\'s voicemail, the others none', async () => {
  const api = new Map((await apiCalls()).map((call) => [call.sid, call]));
  for (const row of await rows()) {
    const call = api.get(row.sid);
    if (call.voicemail) {
      assert.ok(row.audioSrc && row.audioSrc.endsWith('/voicemail'), `${row.name}: audio src ${row.audioSrc}`);
      assert.equal(row.audioSrc, call.voicemail.url);
      assert.equal(row.audioPreload, 'none');
      assert.ok(row.audioControls, 'the player has controls');
      assert.equal(row.unheard, !call.voicemail.heard, `${row.name}: unheard marker`);
      if (call.voicemail.transcription) assert.equal(row.transcription, call.voicemail.transcription);
    } else {
      assert.equal(row.audioSrc, null, `${row.name} has no player`);
    }
  }
  assert.ok(EXPECTED.some((call) => call.outcome === 'voicemail'), 'the seed has voicemails');
});

test('the voicemail player\'s source serves audio', async () => {
  const withVoicemail = (await rows()).filter((row) => row.audioSrc);
  assert.ok(withVoicemail.length > 0);
  const response = await context.request.get(new URL(withVoicemail[0].audioSrc, FEED_URL).href);
  assert.equal(response.status(), 200, `GET ${withVoicemail[0].audioSrc}: ${response.status()} ${await response.text().catch(() => '')}`.slice(0, 300));
  assert.match(response.headers()['content-type'] || '', /^audio\//);
});

test('a voicemail can be marked heard and unheard again', async () => {
  const target = (await rows()).find((row) => row.audioSrc && row.unheard);
  assert.ok(target, 'an unheard voicemail');
  const row = page.locator(`#calls > li.call[data-sid="${target.sid}"]`);
  const unheardBefore = Number((await page.textContent('#stat-unheard')).trim());

  await row.locator('.vm-toggle').click();
  await page.waitForSelector(`#calls > li.call[data-sid="${target.sid}"][data-heard="true"]`, { timeout: 5000 })
    .catch(async () => assert.fail(`not marked heard: ${await row.locator('.vm-note').textContent()}`));
  assert.equal(await row.locator('.vm-marker.is-unheard').count(), 0, 'the unheard marker is gone');
  assert.equal((await row.locator('.vm-toggle').textContent()).trim(), 'Mark as unheard');
  const api = (await apiCalls()).find((call) => call.sid === target.sid);
  assert.equal(api.voicemail.heard, true, 'the server stored it');
  if (Number.isFinite(unheardBefore)) {
    await page.waitForFunction((n) => document.getElementById('stat-unheard').textContent.trim() === String(n),
      unheardBefore - 1, { timeout: 5000 });
  }

  await row.locator('.vm-toggle').click();
  await page.waitForSelector(`#calls > li.call[data-sid="${target.sid}"][data-heard="false"]`, { timeout: 5000 });
  assert.equal(await row.locator('.vm-marker.is-unheard').count(), 1, 'unheard again');
});

test('a hostile caller name and city are shown as text, never as markup', async () => {
  assert.equal(await page.locator('img[src="x"]').count(), 0, 'no <img src=x> in the DOM');
  assert.equal(await page.locator('#calls b').count(), 0, 'no <b> in the call list');
  const text = await page.textContent('body');
  assert.ok(text.includes(HOSTILE_NAME), 'the name appears literally');
  assert.ok(text.includes(HOSTILE_CITY), 'the city appears literally');
  const row = (await rows()).find((r) => r.name === HOSTILE_NAME);
  assert.ok(row, 'the hostile caller has a row');
  assert.ok(row.place.includes(HOSTILE_CITY));
  assert.deepEqual(dialogs, [], 'no dialog fired');
});

test('the outcome filters show only matching calls', async () => {
  try {
    for (const outcome of ['voicemail', 'answered', 'abandoned', 'missed']) {
      await chooseOutcome(outcome);
      const shown = await rows();
      const expected = EXPECTED.filter((call) => call.outcome === outcome);
      assert.equal(shown.length, expected.length, `${outcome}: ${shown.map((row) => row.name).join(', ')}`);
      for (const row of shown) assert.equal(row.outcome, outcome);
      if (outcome === 'voicemail') for (const row of shown) assert.ok(row.audioSrc, `${row.name} has a player`);
      if (expected.length === 0) assert.ok(await page.isVisible('#empty'), `${outcome}: the empty message shows`);
    }
    // "Voicemail only" on top of "All".
    await chooseOutcome('all');
    await page.check('#voicemail-only');
    await waitForList('all+voicemail');
    const voicemails = await rows();
    assert.equal(voicemails.length, EXPECTED.filter((call) => call.outcome === 'voicemail').length);
    await page.uncheck('#voicemail-only');
  } finally {
    if (await page.isChecked('#voicemail-only')) await page.uncheck('#voicemail-only');
    await chooseOutcome('all');
  }
  assert.equal((await rows()).length, EXPECTED.length, 'back to every call');
});

test('clicking a row shows its event timeline', async () => {
  const first = EXPECTED[0].name; // the oldest call: at the bottom
  const row = page.locator('#calls > li.call', { has: page.locator('.caller-name', { hasText: first }) });
  await row.locator('.call-summary').click();
  await row.locator('.call-detail[data-state="ready"] .timeline').waitFor({ timeout: 10000 });
  const kinds = await row.locator('.event-kind').allTextContents();
  assert.ok(kinds.includes('voice'), `kinds: ${kinds.join(', ')}`);
  assert.ok(kinds.includes('menu'), `kinds: ${kinds.join(', ')}`);
  assert.equal(await row.locator('.call-summary').getAttribute('aria-expanded'), 'true');
  // The parameters are there too (behind a disclosure).
  const parameterNames = await row.locator('.event-params dt').allTextContents();
  assert.ok(parameterNames.includes('CallSid'), 'the events\' parameters are listed');
});

test('the summary header counts today\'s calls', async () => {
  await page.waitForSelector('#summary[data-state="ready"]', { timeout: 12000 }).catch(() => {});
  const note = await page.textContent('#summary-note');
  assert.equal(await page.getAttribute('#summary', 'data-state'), 'ready', `summary: ${note}`);
  assert.equal((await page.textContent('#stat-calls')).trim(), String(EXPECTED.length));
  const voicemails = EXPECTED.filter((call) => call.outcome === 'voicemail').length;
  assert.equal((await page.textContent('#stat-voicemails')).trim(), String(voicemails));
});

test('the chart of today\'s calls by hour has bars', async () => {
  await page.waitForSelector('#chart svg', { timeout: 12000 });
  const segments = await page.locator('#chart svg rect.bar-seg').count();
  assert.ok(segments >= 1, `bar segments: ${segments}`);
  const counted = await page.$$eval('#chart svg rect.bar-seg', (rects) =>
    rects.reduce((sum, rect) => sum + Number(rect.dataset.count || 0), 0));
  assert.equal(counted, EXPECTED.length, 'the bars add up to the day\'s calls');
  assert.ok(await page.locator('#chart svg .x-label').count() >= 2, 'hour labels');
  assert.ok(await page.isVisible('.legend'), 'legend');
});

test('a new call appears by itself within one poll', { skip: !CALLSIM && 'CALLSIM_CMD not set' }, async () => {
  const name = 'Grace Newcall';
  await promisify(execFile)(CALLSIM[0], [...CALLSIM.slice(1), '--quiet', '--from', '+14155550199',
    '--caller-name', name, '--city', 'Chicago', '--state', 'IL', '--country', 'US', '--press', 'hangup'],
  { timeout: 15000 });
  await page.waitForFunction((expected) =>
    document.querySelector('#calls > li.call .caller-name')?.textContent === expected, name, { timeout: 16000 });
  assert.equal((await rows()).length, EXPECTED.length + 1);
});

test('the page runs without script errors or CSP violations', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(dialogs, []);
});
