// Headless-browser test of the activity feed (nginx/www) and its login against a running stack.
//
// Run by tests/browser/run.sh, which starts a private stack, creates the users, seeds calls with callsim and passes:
//   FEED_URL, FEED_USER, FEED_PASSWORD   the page and its admin (created by the stack)
//   VIEWER_USER, VIEWER_PASSWORD         a second user with the viewer role
//   LOCK_USER, LOCK_PASSWORD             a user whose login is locked by wrong passwords (last, so the others are not)
//   EXPECTED_CALLS                       JSON array, in the order the calls were made: [{name, outcome}]
//   CALLSIM_CMD                          JSON array: the callsim command line (binary, --base-url, --cacert, …) used
//                                        to place one more call while the page is open
// Debian's chromium with playwright-core (no downloaded browser). The tests run in order and share the admin's page:
// log in, look at the calls, play and mark voicemails, filter and export, edit the routing (GET/PUT /api/routing:
// targets, a field error, the away switch, a conflict, the history), then the viewer, the audit, logging out, and
// last the lockout, which has been running beside them from the start (lockOut()).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, request as playwrightRequest } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run tests/browser/run.sh)`);
  return value;
}

const FEED_URL = new URL(required('FEED_URL')).href;
const ORIGIN = new URL(FEED_URL).origin;
const LOGIN_URL = new URL('/login', FEED_URL).href;
const USER = required('FEED_USER');
const PASSWORD = required('FEED_PASSWORD');
const VIEWER = { user: required('VIEWER_USER'), password: required('VIEWER_PASSWORD') };
const LOCKED = { user: required('LOCK_USER'), password: required('LOCK_PASSWORD') };
const EXPECTED = JSON.parse(required('EXPECTED_CALLS'));
const CALLSIM = process.env.CALLSIM_CMD ? JSON.parse(process.env.CALLSIM_CMD) : null;
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_CITY = '<b>bold</b>';
const WRITE = { 'Content-Type': 'application/json', 'X-Requested-With': 'switchboard' };
const ROUTING_URL = new URL('/api/routing', FEED_URL).href;
const NEW_TARGETS = ['+15551230001', '+15551230002'];
const BAD_NUMBER = '+1555-not-a-number';

const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required'],
};
// A fixed zone and locale: the page computes "today" from the browser's clock, in the browser's zone.
const CONTEXT = {
  ignoreHTTPSErrors: true,
  acceptDownloads: true,
  timezoneId: 'America/Chicago',
  locale: 'en-US',
  viewport: { width: 1280, height: 900 },
};

let browser;
let context; // the admin's
let page;
const dialogs = [];
const pageErrors = [];
const cspViolations = [];
const callsRequests = []; // URLs of the admin page's /api/calls requests
const seen = {};          // what earlier tests did, for the audit: { played, heard, loginResponse }

// Every page of every context reports script errors, CSP violations and dialogs.
function watch(target) {
  target.on('page', (newPage) => {
    newPage.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    newPage.on('pageerror', (error) => pageErrors.push(`${newPage.url()}: ${error.message}`));
    newPage.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });
  return target;
}

async function newContext() {
  return watch(await browser.newContext(CONTEXT));
}

// Locking an account takes a couple of minutes of waiting out the growing delays, so it runs beside the other tests
// from the start, through the API, on its own user; the last tests look at what it saw. Its failures also count
// against this address, but stay below the address's own (higher) threshold.
const LOCK_AT_LEAST_S = 120; // a wait this long is the lock, not the slowing down
let lockout;
let unknownUser;

async function lockOut() {
  const client = await playwrightRequest.newContext({ ignoreHTTPSErrors: true });
  try {
    const post = async (user, password) => {
      const response = await client.post(new URL('/api/session', FEED_URL).href, { headers: WRITE, data: { user, password } });
      const body = await response.json().catch(() => null);
      return { status: response.status(), body, retryAfter: body?.retry_after_s ?? null,
        header: response.headers()['retry-after'] ?? null };
    };
    unknownUser = await post(`nobody-${Date.now()}`, 'not the password at all');
    const attempts = [];
    for (let i = 0; i < 40; i += 1) {
      const attempt = await post(LOCKED.user, `wrong password ${i}`);
      attempts.push(attempt);
      if (attempt.status !== 401 && attempt.status !== 429) break;
      if (attempt.status === 429) {
        if (attempt.retryAfter === null || attempt.retryAfter >= LOCK_AT_LEAST_S) break;
        await new Promise((resolve) => setTimeout(resolve, attempt.retryAfter * 1000 + 250));
      }
    }
    return { attempts, right: await post(LOCKED.user, LOCKED.password) };
  } finally {
    await client.dispose();
  }
}

before(async () => {
  lockout = lockOut();
  lockout.catch(() => {}); // awaited (and its failure reported) by the lockout test
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch(LAUNCH);
  context = await newContext();
  page = await context.newPage();
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/api/calls') callsRequests.push(new URL(req.url()));
  });
});

after(async () => {
  await browser?.close();
});

// Logs in through the login page that `target` shows; resolves to the POST /api/session response (whose body is
// gone once a success has navigated on: read it only from refusals).
async function logIn(target, { user, password }) {
  await target.waitForSelector('#login-form[data-ready="true"]', { timeout: 10000 });
  await target.fill('#login-user', user);
  await target.fill('#login-password', password);
  const [response] = await Promise.all([
    target.waitForResponse((r) => new URL(r.url()).pathname === '/api/session' && r.request().method() === 'POST'),
    target.click('#login-submit'),
  ]);
  return response;
}

async function waitForList(filter) {
  await page.waitForSelector(`#calls[data-state="ready"][data-filter="${filter}"]`, { state: 'attached', timeout: 10000 })
    .catch(async (error) => {
      const state = await page.evaluate(() => [document.getElementById('calls').dataset.state,
        document.getElementById('calls').dataset.filter, document.getElementById('banner-text').textContent]);
      assert.fail(`the list did not get ready for ${filter}: state ${state[0]}, filter ${state[1]}, banner ` +
        `"${state[2]}" (${error.message.split('\n')[0]})`);
    });
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

// RFC 4180: fields separated by commas, quoted when they hold commas, quotes ("" inside) or line breaks.
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // the \n ends the record
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  return records;
}

const LABELS = { answered: 'Answered', missed: 'Missed', voicemail: 'Voicemail', abandoned: 'Abandoned', 'in-progress': 'In progress' };

test('without a session the page goes to the login and the API answers a JSON 401', async () => {
  const anonymous = await newContext();
  try {
    const anonymousPage = await anonymous.newPage();
    await anonymousPage.goto(FEED_URL);
    assert.equal(new URL(anonymousPage.url()).pathname, '/login', `landed on ${anonymousPage.url()}`);
    await anonymousPage.waitForSelector('#login-form[data-ready="true"]');
    assert.equal(await anonymousPage.locator('#calls').count(), 0, 'nothing of the feed is shown');
    for (const url of [new URL('/api/calls', FEED_URL).href, new URL('/api/session', FEED_URL).href,
      new URL('/api/audit', FEED_URL).href]) {
      const plain = await anonymous.request.get(url);
      assert.equal(plain.status(), 401, url);
      assert.deepEqual(await plain.json(), { error: 'authentication required' }, url);
      assert.doesNotMatch(plain.headers()['www-authenticate'] || '', /Basic/, `${url}: no basic auth any more`);
    }
    // The login page's CSP is the feed's: no inline script could run there either.
    const login = await anonymous.request.get(LOGIN_URL);
    assert.equal(login.status(), 200);
    assert.match(login.headers()['content-security-policy'] || '', /script-src 'self'/);
  } finally {
    await anonymous.close();
  }
});

test('the login page follows next= only to paths of this site', async () => {
  const anonymous = await newContext();
  try {
    const anonymousPage = await anonymous.newPage();
    await anonymousPage.goto(LOGIN_URL);
    const cases = {
      '/': '/', '/?x=1#top': '/?x=1#top', '/index.html': '/index.html',
      '//evil.example/': '/', 'https://evil.example/': '/', '/\\evil.example': '/', '/\t/evil.example': '/',
      'javascript:alert(1)': '/', '/login': '/', '/login?next=/': '/', '/api/session': '/', '': '/', 'x': '/',
    };
    const got = await anonymousPage.evaluate(async (inputs) => {
      const { safeNext } = await import('/js/paths.js');
      return Object.fromEntries(inputs.map((input) => [input, safeNext(input)]));
    }, Object.keys(cases));
    assert.deepEqual(got, cases);
  } finally {
    await anonymous.close();
  }
});

test('the Routing panel\'s helpers: field paths, typed numbers, what a version changed', async () => {
  const anonymous = await newContext();
  try {
    const anonymousPage = await anonymous.newPage();
    await anonymousPage.goto(LOGIN_URL);
    const got = await anonymousPage.evaluate(async () => {
      const doc = await import('/js/routing-doc.js');
      const before = {
        forward: { targets: ['+15551230001'], strategy: 'simultaneous', ring_seconds: 20, screening: true },
        away: { enabled: false, message: 'Back soon' },
        office_hours: { schedule: 'Mon-Fri 09:00-18:00', time_zone: 'Europe/Paris', closed_message: 'Closed' },
        holidays: [{ date: '2026-12-25', message: 'Closed today' }],
        menu: { prompt: 'Press 1', attempts: 3, default: 'voicemail' },
        voicemail: { prompt: 'Speak', max_seconds: 120, transcribe: false },
        blocklist: ['+15559990000'],
        text_back: { enabled: false, message: 'Sorry' },
      };
      const after = structuredClone(before);
      after.away = { enabled: true, message: 'Out today' };
      after.office_hours.schedule = '';
      after.holidays.push({ date: '2026-12-31', message: 'Closed' });
      after.blocklist = [];
      after.voicemail.transcribe = true;
      const targets = structuredClone(before);
      targets.forward.targets = ['+15551230002', '+15551230001'];
      targets.forward.strategy = 'sequential';
      return {
        keys: doc.fieldKeys('holidays[0].date'),
        targetKeys: doc.fieldKeys('forward.targets[1]'),
        message: doc.fieldMessage('forward.targets[1]: not E.164', 'forward.targets[1]'),
        plainMessage: doc.fieldMessage('not E.164', 'forward.targets[1]'),
        value: doc.getPath(before, 'holidays[0].message'),
        numbers: [' +1 (555) 123-0001 ', '+1555-not-a-number', '555 123 0001'].map(doc.normalizeNumber),
        changed: doc.describeChanges(before, after),
        targets: doc.describeChanges(before, targets),
        none: doc.describeChanges(before, structuredClone(before)),
        same: doc.sameDoc({ a: 1, b: { c: 2, d: [3] } }, { b: { d: [3], c: 2 }, a: 1 }),
      };
    });
    assert.deepEqual(got, {
      keys: ['holidays[0].date', 'holidays[0]', 'holidays'],
      targetKeys: ['forward.targets[1]', 'forward.targets', 'forward'],
      message: 'not E.164',
      plainMessage: 'not E.164',
      value: 'Closed today',
      numbers: ['+15551230001', '+1555-not-a-number', '555 123 0001'],
      changed: 'Away on, away message, always open, holiday 2026-12-31 added, +15559990000 unblocked, transcription on',
      targets: 'Targets +15551230002, +15551230001, strategy sequential',
      none: 'No change',
      same: true,
    });
  } finally {
    await anonymous.close();
  }
});

test('logging in through the login page shows the calls and who is signed in', async () => {
  await page.goto(FEED_URL);
  assert.equal(new URL(page.url()).pathname, '/login');
  const response = await logIn(page, { user: USER, password: PASSWORD });
  assert.equal(response.status(), 200);
  seen.setCookie = await response.headerValue('set-cookie');
  const sent = response.request();
  assert.deepEqual(JSON.parse(sent.postData()), { user: USER, password: PASSWORD });
  assert.match(await sent.headerValue('content-type'), /^application\/json/);
  assert.equal(await sent.headerValue('x-requested-with'), 'switchboard');

  await page.waitForURL(FEED_URL, { timeout: 10000 });
  // (The login's own body went with the navigation; the session says the same.)
  const session = await context.request.get(new URL('/api/session', FEED_URL).href);
  assert.equal(session.status(), 200);
  const body = await session.json();
  assert.equal(body.user, USER);
  assert.equal(body.role, 'admin');
  assert.equal(body.via, 'session');
  assert.ok(Number.isFinite(Date.parse(body.expires_at)), `expires_at ${body.expires_at}`);
  await waitForList('all');
  await page.waitForSelector('#account:not([hidden])');
  assert.equal(await page.textContent('#signed-in-user'), USER);
  assert.equal(await page.textContent('#signed-in-role'), 'admin');
});

test('the session cookie is HttpOnly, Secure and SameSite=Strict', async () => {
  const header = seen.setCookie;
  assert.ok(header, 'the login set a cookie');
  const cookie = header.split('\n').find((line) => line.startsWith('sb_session='));
  assert.ok(cookie, header);
  const attributes = cookie.split(';').slice(1).map((part) => part.trim().toLowerCase());
  for (const attribute of ['httponly', 'secure', 'samesite=strict', 'path=/']) {
    assert.ok(attributes.includes(attribute), `${attribute} in ${cookie}`);
  }
  assert.ok(attributes.some((part) => part.startsWith('max-age=') || part.startsWith('expires=')), cookie);
  const [stored] = (await context.cookies(FEED_URL)).filter((c) => c.name === 'sb_session');
  assert.ok(stored, 'the browser keeps the cookie');
  assert.equal(stored.httpOnly, true);
  assert.equal(stored.secure, true);
  assert.equal(stored.sameSite, 'Strict');
  assert.doesNotMatch(await page.evaluate(() => document.cookie), /sb_session/, 'scripts cannot read it');
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
  assert.ok(EXPECTED.filter((call) => call.outcome === 'voicemail').length >= 2, 'the seed has voicemails');
});

test('playing a voicemail to its end marks it heard', async () => {
  const target = (await rows()).find((row) => row.audioSrc && row.unheard);
  assert.ok(target, 'an unheard voicemail');
  const selector = `#calls > li.call[data-sid="${target.sid}"]`;
  const played = await page.locator(`${selector} audio`).evaluate(async (audio) => {
    audio.muted = true;
    audio.playbackRate = 8;
    await audio.play();
    await new Promise((resolve, reject) => {
      audio.addEventListener('ended', resolve, { once: true });
      audio.addEventListener('error', () => reject(new Error(`media error ${audio.error?.code}`)), { once: true });
    });
    return audio.duration;
  });
  assert.ok(played > 0, `the recording played (${played} s)`);
  await page.waitForSelector(`${selector}[data-heard="true"]`, { timeout: 5000 })
    .catch(async () => assert.fail(`not marked heard: ${await page.locator(`${selector} .vm-note`).textContent()}`));
  const api = (await apiCalls()).find((call) => call.sid === target.sid);
  assert.equal(api.voicemail.heard, true, 'the server stored it');
  seen.played = target.sid;
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
  seen.heard = target.sid;

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

test('the outcome filters are computed by the server and show only matching calls', async () => {
  try {
    for (const outcome of ['voicemail', 'answered', 'abandoned', 'missed']) {
      await chooseOutcome(outcome);
      const asked = callsRequests.at(-1);
      assert.equal(asked.searchParams.get('outcome'), outcome, `the page asked ${asked}`);
      for (const old of ['menu_choice', 'has_voicemail']) assert.equal(asked.searchParams.get(old), null, `${asked}`);
      const shown = await rows();
      const expected = EXPECTED.filter((call) => call.outcome === outcome);
      assert.equal(shown.length, expected.length, `${outcome}: ${shown.map((row) => row.name).join(', ')}`);
      for (const row of shown) assert.equal(row.outcome, outcome);
      assert.deepEqual(shown.map((row) => row.sid), (await apiCalls(`&outcome=${outcome}`)).map((call) => call.sid));
      if (outcome === 'voicemail') for (const row of shown) assert.ok(row.audioSrc, `${row.name} has a player`);
      if (expected.length === 0) assert.ok(await page.isVisible('#empty'), `${outcome}: the empty message shows`);
    }
    // "Voicemail only" on top of "All".
    await chooseOutcome('all');
    assert.equal(callsRequests.at(-1).searchParams.get('outcome'), null, 'no outcome for "All"');
    await page.check('#voicemail-only');
    await waitForList('all+voicemail');
    assert.equal(callsRequests.at(-1).searchParams.get('has_voicemail'), 'true');
    const voicemails = await rows();
    assert.equal(voicemails.length, EXPECTED.filter((call) => call.outcome === 'voicemail').length);
    await page.uncheck('#voicemail-only');
  } finally {
    if (await page.isChecked('#voicemail-only')) await page.uncheck('#voicemail-only');
    await chooseOutcome('all');
  }
  assert.equal((await rows()).length, EXPECTED.length, 'back to every call');
});

test('the CSV export downloads the calls of the current filter', async () => {
  try {
    for (const outcome of ['voicemail', 'all']) {
      await chooseOutcome(outcome);
      const href = await page.getAttribute('#export-csv', 'href');
      assert.equal(href, outcome === 'all' ? '/api/calls.csv' : `/api/calls.csv?outcome=${outcome}`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
      assert.equal(await download.failure(), null, 'the download completed');
      assert.equal(new URL(download.url()).pathname + new URL(download.url()).search, href);
      const records = parseCsv(readFileSync(await download.path(), 'utf8'));
      const [header, ...data] = records;
      const column = (name) => {
        const index = header.indexOf(name);
        assert.ok(index >= 0, `a ${name} column in ${header.join(',')}`);
        return data.map((record) => record[index]);
      };
      const shown = await rows();
      assert.equal(data.length, shown.length, `${outcome}: ${data.length} CSV rows for ${shown.length} calls shown`);
      assert.deepEqual(new Set(column('sid')), new Set(shown.map((row) => row.sid)), `${outcome}: the same calls`);
      if (outcome !== 'all') assert.deepEqual(new Set(column('outcome')), new Set([outcome]));
      assert.deepEqual(new Set(column('caller_name')), new Set(shown.map((row) => row.name)), 'names, hostile one too');
    }
  } finally {
    await chooseOutcome('all');
  }
});

test('clicking a row shows its event timeline', async () => {
  const first = EXPECTED[0].name; // the oldest call: at the bottom
  const row = page.locator('#calls > li.call', { has: page.locator('.caller-name', { hasText: first }) });
  await row.locator('.call-summary').click();
  await row.locator('.call-detail[data-state="ready"] .timeline').waitFor({ timeout: 10000 });
  const kinds = await row.locator('.event-kind').allTextContents();
  assert.ok(kinds.includes('voice'), `kinds: ${kinds.join(', ')}`);
  assert.ok(kinds.includes('menu'), `kinds: ${kinds.join(', ')}`);
  // Which routing rule decided each step: the incoming call was routed by the menu (the office is always open here).
  const rules = await row.locator('.event-rule').allTextContents();
  assert.ok(rules.some((text) => text.includes('routed by') && text.includes('the menu')), `rules: ${rules.join(' | ')}`);
  assert.equal(await row.locator('.call-summary').getAttribute('aria-expanded'), 'true');
  // The parameters are there too (behind a disclosure).
  const parameterNames = await row.locator('.event-params dt').allTextContents();
  assert.ok(parameterNames.includes('CallSid'), 'the events\' parameters are listed');
});

test('a voicemail\'s detail says what became of its notifications, and how a delivery report reads', async () => {
  const voicemail = EXPECTED.find((call) => call.outcome === 'voicemail');
  const row = page.locator('#calls > li.call', { has: page.locator('.caller-name', { hasText: voicemail.name }) });
  await row.locator('.call-summary').click();
  await row.locator('.call-detail[data-state="ready"]').waitFor({ timeout: 10000 });
  const facts = await row.locator('.fact').allTextContents();
  // The audio fetch every voicemail gets, with its state from the queue (fetched by the stack's notifier).
  assert.ok(facts.some((text) => text.startsWith('Voicemail audio')), `facts: ${facts.join(' | ')}`);
  await row.locator('.call-summary').click();
  const states = await page.evaluate(async () => {
    const { notificationState } = await import('/js/timeline.js');
    return [
      notificationState({ status: 'sent', attempts: 1, delivery_status: 'undelivered', delivery_error_code: '30003' }),
      notificationState({ status: 'sent', attempts: 1, delivery_status: 'delivered', delivery_error_code: null }),
      notificationState({ status: 'pending', attempts: 2, delivery_status: null }),
      notificationState({ status: 'pending', attempts: 0, delivery_status: null }),
    ];
  });
  assert.deepEqual(states, ['undelivered (error 30003)', 'delivered', 'pending (2 attempts)', 'pending']);
});

test('the summary header counts today\'s calls', async () => {
  await page.waitForSelector('#summary[data-state="ready"]', { timeout: 12000 }).catch(() => {});
  const note = await page.textContent('#summary-note');
  assert.equal(await page.getAttribute('#summary', 'data-state'), 'ready', `summary: ${note}`);
  assert.equal((await page.textContent('#stat-calls')).trim(), String(EXPECTED.length));
  const voicemails = EXPECTED.filter((call) => call.outcome === 'voicemail').length;
  assert.equal((await page.textContent('#stat-voicemails')).trim(), String(voicemails));
});

// The bounding boxes of a chart's axis labels that stick out of the chart's own box.
async function clippedLabels(chartHandle) {
  return chartHandle.evaluate((chart) => {
    const box = chart.getBoundingClientRect();
    return [...chart.querySelectorAll('.axis-label')].map((label) => [label.textContent, label.getBoundingClientRect()])
      .filter(([, r]) => r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 ||
        r.bottom > box.bottom + 0.5)
      .map(([text]) => text);
  });
}

test('the chart of today\'s calls by hour has bars and labels that fit', async () => {
  await page.waitForSelector('#chart svg', { timeout: 12000 });
  const segments = await page.locator('#chart svg rect.bar-seg').count();
  assert.ok(segments >= 1, `bar segments: ${segments}`);
  const counted = await page.$$eval('#chart svg rect.bar-seg', (rects) =>
    rects.reduce((sum, rect) => sum + Number(rect.dataset.count || 0), 0));
  assert.equal(counted, EXPECTED.length, 'the bars add up to the day\'s calls');
  assert.ok(await page.locator('#chart svg .x-label').count() >= 2, 'hour labels');
  assert.ok(await page.locator('#chart svg .y-label').count() >= 2, 'count labels');
  assert.ok(await page.isVisible('.legend'), 'legend');
  assert.deepEqual(await clippedLabels(await page.$('#chart svg')), [], 'no label of the live chart is clipped');

  // Busy days: four- and five-digit counts at desktop and phone widths, calls from midnight to 11 PM. Then an
  // ordinary day seen at every hour: the current hour's label is bold (wider), and where it falls depends on the
  // time of day, so every hour is tried at phone widths rather than only the hour this test happens to run at.
  const cases = [[1234, 1100, [0, 9, 23], 23], [98765, 1100, [0, 9, 23], 23], [98765, 320, [0, 9, 23], 23],
    [7, 320, [0, 9, 23], 23]];
  for (let hour = 0; hour < 24; hour += 1) {
    for (const width of [320, 358, 390, 1100]) cases.push([12, width, [9], hour]);
  }
  for (const [peak, width, callHours, nowHour] of cases) {
    const chart = await page.evaluateHandle(async ([n, w, hours, current]) => {
      const { renderChart } = await import('/js/chart.js');
      const midnight = new Date();
      midnight.setHours(0, 0, 0, 0);
      const byHour = hours.map((hour) => ({
        hour_start: new Date(midnight.getTime() + hour * 3600e3).toISOString(), answered: n, voicemail: 1,
      }));
      const holder = document.createElement('div');
      holder.className = 'chart-body';
      holder.dataset.probe = 'true';
      document.getElementById('chart').after(holder);
      holder.style.width = `${w}px`; // CSSOM, which the CSP allows (no style attribute in markup)
      const svg = renderChart(byHour, { width: w, now: new Date(midnight.getTime() + (current + 0.5) * 3600e3),
        font: getComputedStyle(holder).fontFamily });
      holder.append(svg);
      return svg;
    }, [peak, width, callHours, nowHour]);
    try {
      assert.deepEqual(await clippedLabels(chart), [], `peak ${peak} at ${width} px, seen at ${nowHour}:30`);
    } finally {
      await page.evaluate(() => document.querySelectorAll('[data-probe]').forEach((el) => el.remove()));
    }
  }
});

test('a new call appears by itself within one poll and is announced', { skip: !CALLSIM && 'CALLSIM_CMD not set' }, async () => {
  const name = 'Grace Newcall';
  assert.equal(await page.getAttribute('#announcer', 'aria-live'), 'polite');
  await promisify(execFile)(CALLSIM[0], [...CALLSIM.slice(1), '--quiet', '--from', '+14155550199',
    '--caller-name', name, '--city', 'Chicago', '--state', 'IL', '--country', 'US', '--press', 'hangup'],
  { timeout: 15000 });
  await page.waitForFunction((expected) =>
    document.querySelector('#calls > li.call .caller-name')?.textContent === expected, name, { timeout: 16000 });
  assert.equal((await rows()).length, EXPECTED.length + 1);
  await page.waitForFunction(() => document.getElementById('announcer').textContent !== '', null, { timeout: 2000 });
  assert.equal(await page.textContent('#announcer'), `New call from ${name}: abandoned.`);
});

test('screenshots of the feed (desktop and phone width)', async () => {
  const file = path.join(artifacts, 'feed.png');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  assert.deepEqual(await clippedLabels(await page.$('#chart svg')), [], 'no chart label clipped at phone width');
  const mobile = path.join(artifacts, 'feed-mobile.png');
  await page.screenshot({ path: mobile, fullPage: true });
  console.log(`screenshot (phone width): ${mobile}`);
  await page.setViewportSize(CONTEXT.viewport);
});

// --- The Routing panel (admins): GET/PUT /api/routing -------------------------------------------------------------

async function apiRouting() {
  const response = await context.request.get(ROUTING_URL);
  assert.equal(response.status(), 200, `GET /api/routing: ${await response.text()}`);
  return response.json();
}

async function routingReady(version) {
  const selector = version === undefined ? '#routing[data-state="ready"]'
    : `#routing[data-state="ready"][data-version="${version}"]`;
  await page.waitForSelector(selector, { timeout: 10000 }).catch(async (error) => {
    const state = await page.evaluate(() => [document.getElementById('routing').dataset.state,
      document.getElementById('routing').dataset.version,
      document.getElementById('routing-load-error-text').textContent,
      document.getElementById('routing-problem-text').textContent]);
    assert.fail(`the Routing panel is not ready${version === undefined ? '' : ` at version ${version}`}: state ` +
      `${state[0]}, version ${state[1]}, "${state[2]}" "${state[3]}" (${error.message.split('\n')[0]})`);
  });
}

// Does `action` and resolves to the page's PUT /api/routing that it caused.
async function routingPut(action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === ROUTING_URL && r.request().method() === 'PUT', { timeout: 10000 }),
    action(),
  ]);
  return response;
}

async function openRoutingEditor() {
  assert.equal(await page.getAttribute('#routing-toggle', 'aria-expanded'), 'false');
  await page.click('#routing-toggle');
  assert.equal(await page.getAttribute('#routing-toggle', 'aria-expanded'), 'true');
  await page.waitForSelector('#routing-editor:not([hidden])');
}

const targetRows = () => page.locator('#routing-targets > li');
const targetValues = () => page.$$eval('#routing-targets > li input', (inputs) => inputs.map((input) => input.value));
const routingStatus = (text) => page.waitForFunction((expected) =>
  document.getElementById('routing-status').textContent === expected, text, { timeout: 5000 });

test('an admin sees the Routing panel with the routing in force', async () => {
  const stored = await apiRouting();
  assert.equal(stored.version, 0, 'a new stack has never changed its routing');
  assert.equal(stored.changed_by, null);
  assert.equal(stored.changed_at, null);
  seen.routingInitial = stored.routing;
  await routingReady(stored.version);
  assert.ok(await page.isVisible('#routing'), 'the panel shows');
  assert.ok(await page.isVisible('#routing-away'), 'the away switch is always in sight');
  assert.ok(await page.isHidden('#routing-editor'), 'the other settings wait behind "Edit routing"');
  await openRoutingEditor();
  assert.ok(await page.isVisible('#routing-save'), 'with a Save button');
  assert.equal(await page.textContent('#routing-version'), 'Version 0');
  assert.match(await page.textContent('#routing-changed-by'), /configuration/);
  assert.deepEqual(await targetValues(), stored.routing.forward.targets);
  assert.ok(await page.isChecked(`#routing-strategy input[value="${stored.routing.forward.strategy}"]`));
  assert.equal(await page.isChecked('#routing-away'), stored.routing.away.enabled);
  assert.equal(await page.inputValue('#routing-ring-seconds'), String(stored.routing.forward.ring_seconds));
  assert.equal(await page.getAttribute('#routing', 'data-dirty'), 'false', 'nothing edited yet');
});

test('an admin edits the forward targets and saves: the page shows the new version', async () => {
  const before = await apiRouting();
  while (await targetRows().count() > 1) await targetRows().last().locator('.rt-remove').click();
  if (await targetRows().count() === 0) await page.click('#routing-add-target');
  await targetRows().nth(0).locator('input').fill(NEW_TARGETS[0]);
  await page.click('#routing-add-target');
  assert.equal(await targetRows().count(), 2);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Forward target 2',
    'the new row has the focus and its label');
  await page.keyboard.type(NEW_TARGETS[1]);
  await page.click('#routing-strategy label:has(input[value="sequential"])');
  assert.equal(await page.getAttribute('#routing', 'data-dirty'), 'true');
  assert.ok(await page.isVisible('#routing-dirty'), '"Unsaved changes" shows');

  const response = await routingPut(() => page.click('#routing-save'));
  assert.equal(response.status(), 200, await response.text());
  const sent = response.request();
  assert.equal(await sent.headerValue('if-match'), `"${before.version}"`);
  assert.match(await sent.headerValue('content-type'), /^application\/json/);
  assert.equal(await sent.headerValue('x-requested-with'), 'switchboard');
  const expected = structuredClone(before.routing);
  expected.forward.targets = NEW_TARGETS;
  expected.forward.strategy = 'sequential';
  assert.deepEqual(JSON.parse(sent.postData()), expected, 'the whole document, changed only where it was edited');
  const answer = await response.json();
  assert.ok(answer.version > before.version, `new version ${answer.version}`);

  await routingReady(answer.version);
  assert.equal(await page.textContent('#routing-version'), `Version ${answer.version}`);
  assert.equal(await page.textContent('#routing-changed-by'), `changed by ${USER}`);
  assert.ok(await page.getAttribute('#routing-changed-at', 'datetime'), 'when');
  await routingStatus(`Saved: version ${answer.version}.`);
  assert.equal(await page.getAttribute('#routing', 'data-dirty'), 'false');
  assert.deepEqual(await targetValues(), NEW_TARGETS);

  const stored = await apiRouting();
  assert.equal(stored.version, answer.version);
  assert.equal(stored.changed_by, USER);
  assert.ok(Number.isFinite(Date.parse(stored.changed_at)), `changed_at ${stored.changed_at}`);
  assert.deepEqual(stored.routing.forward.targets, NEW_TARGETS);
  assert.equal(stored.routing.forward.strategy, 'sequential');
});

test('a bad number shows the server\'s field error next to that input, and nothing is saved', async () => {
  const before = await apiRouting();
  await targetRows().nth(1).locator('input').fill(BAD_NUMBER);
  const response = await routingPut(() => page.click('#routing-save'));
  assert.equal(response.status(), 400, await response.text());
  assert.deepEqual(JSON.parse(response.request().postData()).forward.targets, [NEW_TARGETS[0], BAD_NUMBER]);
  const body = await response.json();
  assert.equal(body.field, 'forward.targets[1]');
  assert.equal(typeof body.error, 'string');
  const besideField = body.error.startsWith(`${body.field}: `) ? body.error.slice(body.field.length + 2) : body.error;

  await page.waitForSelector('#routing-problem:not([hidden])');
  const shown = await targetRows().nth(1).locator('input').evaluate((input) => {
    const ids = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    const error = ids.length ? document.getElementById(ids.at(-1)) : null;
    return { invalid: input.getAttribute('aria-invalid'), focused: document.activeElement === input,
      error: error?.textContent ?? null, besideIt: Boolean(error) && error.closest('li') === input.closest('li') };
  });
  assert.deepEqual(shown, { invalid: 'true', focused: true, error: besideField, besideIt: true });
  assert.equal(await targetRows().nth(0).locator('input').getAttribute('aria-invalid'), null, 'the first is fine');
  assert.equal(await page.locator('#routing .field-error').count(), 1, 'one field error');
  const summary = await page.textContent('#routing-problem-text');
  assert.ok(summary.startsWith(`Not saved: ${body.error}`), `summary: ${summary}`);
  assert.equal(await page.getAttribute('#routing-problem', 'role'), 'alert');
  assert.equal(await page.textContent('#routing-version'), `Version ${before.version}`, 'the page keeps its version');
  assert.equal((await apiRouting()).version, before.version, 'nothing changed on the server');

  await page.click('#routing-discard');
  assert.equal(await page.locator('#routing .field-error').count(), 0);
  assert.ok(await page.isHidden('#routing-problem'));
  assert.deepEqual(await targetValues(), NEW_TARGETS, 'back to the saved targets');
  assert.equal(await page.getAttribute('#routing', 'data-dirty'), 'false');
});

test('the away switch saves at once, without the other edits, and stays after a reload', async () => {
  const before = await apiRouting();
  const wasAway = Boolean(before.routing.away.enabled);
  const ring = before.routing.forward.ring_seconds;
  await page.fill('#routing-ring-seconds', String(ring + 5)); // an edit beside it, not saved by the switch
  await page.fill('#routing-away-message', HOSTILE_NAME);     // the switch's own message is
  assert.equal(await page.getAttribute('#routing-away', 'role'), 'switch');
  const response = await routingPut(() => page.click('#routing-away'));
  assert.equal(response.status(), 200, await response.text());
  assert.equal(await response.request().headerValue('if-match'), `"${before.version}"`);
  const sent = JSON.parse(response.request().postData());
  assert.deepEqual(sent.away, { ...before.routing.away, enabled: !wasAway, message: HOSTILE_NAME });
  assert.equal(sent.forward.ring_seconds, ring, 'the ring time edit is not saved by the switch');
  const answer = await response.json();
  await routingReady(answer.version);
  await routingStatus(`Away is ${wasAway ? 'off' : 'on'}: version ${answer.version}.`);
  assert.equal(await page.inputValue('#routing-ring-seconds'), String(ring + 5), 'the other edit is still there');
  assert.equal(await page.getAttribute('#routing', 'data-dirty'), 'true', '… and still unsaved');

  await page.reload();
  await waitForList('all');
  await routingReady(answer.version);
  assert.equal(await page.isChecked('#routing-away'), !wasAway, 'the switch stayed');
  assert.equal(await page.inputValue('#routing-away-message'), HOSTILE_NAME, 'and its message, as text');
  assert.equal(await page.locator('img[src="x"]').count(), 0, 'never as markup');
  assert.equal(await page.inputValue('#routing-ring-seconds'), String(ring), 'the unsaved edit is gone');
  assert.ok(await page.isHidden('#routing-editor'), 'a reload closes the editor');

  const back = await routingPut(() => page.click('#routing-away'));
  assert.equal(back.status(), 200, await back.text());
  const backAnswer = await back.json();
  await routingReady(backAnswer.version);
  assert.equal(await page.isChecked('#routing-away'), wasAway);
  const stored = await apiRouting();
  assert.equal(stored.version, backAnswer.version);
  assert.equal(stored.routing.away.enabled, wasAway);
  assert.equal(stored.routing.away.message, HOSTILE_NAME);
  await openRoutingEditor();
});

test('a save over a version changed elsewhere meanwhile (409) says so and offers to reload', async () => {
  const before = await apiRouting();
  // Someone else (another tab) saves first.
  const theirs = structuredClone(before.routing);
  theirs.forward.ring_seconds = before.routing.forward.ring_seconds + 10;
  const other = await context.request.put(ROUTING_URL,
    { headers: { ...WRITE, 'If-Match': `"${before.version}"` }, data: theirs });
  assert.equal(other.status(), 200, await other.text());
  const saved = await other.json();
  seen.routingTheirs = saved;

  await page.click('#routing-screening');
  const response = await routingPut(() => page.click('#routing-save'));
  assert.equal(response.status(), 409, await response.text());
  assert.equal(await response.request().headerValue('if-match'), `"${before.version}"`);
  const body = await response.json();
  assert.equal(typeof body.error, 'string');
  await page.waitForSelector('#routing-reload:not([hidden])');
  const summary = await page.textContent('#routing-problem-text');
  assert.ok(summary.startsWith(`Not saved: ${body.error}`), `summary: ${summary}`);
  assert.equal(await page.textContent('#routing-version'), `Version ${before.version}`);
  assert.equal(await page.isChecked('#routing-screening'), !before.routing.forward.screening, 'the edit is kept');
  assert.equal((await apiRouting()).routing.forward.screening, before.routing.forward.screening, 'and not saved');

  await page.click('#routing-reload');
  await routingReady(saved.version);
  await routingStatus(`Reloaded: version ${saved.version}.`);
  assert.equal(await page.inputValue('#routing-ring-seconds'), String(theirs.forward.ring_seconds));
  assert.equal(await page.isChecked('#routing-screening'), Boolean(before.routing.forward.screening));
  assert.ok(await page.isHidden('#routing-problem'));
  assert.equal(await page.getAttribute('#routing', 'data-dirty'), 'false');
});

test('a save while the database is down (503) says the routing in force has not changed', async () => {
  const before = await apiRouting();
  // The stack's database stays up for the tests after this one: the 503 is the server's answer, played by the test.
  await page.route(ROUTING_URL, (route) => (route.request().method() === 'PUT'
    ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"the database is unavailable"}' })
    : route.fallback()));
  try {
    await page.fill('#routing-ring-seconds', String(before.routing.forward.ring_seconds + 1));
    const response = await routingPut(() => page.click('#routing-save'));
    assert.equal(response.status(), 503);
    await page.waitForSelector('#routing-problem:not([hidden])');
    assert.equal(await page.textContent('#routing-problem-text'),
      `Not saved: the database is unavailable. The routing in force is still version ${before.version}.`);
    assert.ok(await page.isHidden('#routing-reload'), 'nothing to reload');
    assert.equal(await page.getAttribute('#routing', 'data-dirty'), 'true', 'the edit is kept to try again');
  } finally {
    await page.unroute(ROUTING_URL);
  }
  await page.click('#routing-discard');
  assert.equal((await apiRouting()).version, before.version);
});

test('the routing history lists the versions, newest first, with who saved them and what changed', async () => {
  const response = await context.request.get(`${ROUTING_URL}/history?limit=20`);
  assert.equal(response.status(), 200, await response.text());
  const { versions } = await response.json();
  assert.ok(Array.isArray(versions) && versions.length >= 4, `versions: ${versions?.map((v) => v.version)}`);
  const [asked] = await Promise.all([
    page.waitForRequest((r) => new URL(r.url()).pathname === '/api/routing/history'),
    page.click('#routing-history > summary'),
  ]);
  assert.equal(new URL(asked.url()).searchParams.get('limit'), '20');
  await page.waitForSelector('#routing-history[data-state="ready"]', { timeout: 10000 });
  const entries = await page.$$eval('#routing-history-list > li.history-entry', (items) => items.map((item) => ({
    version: Number(item.dataset.version),
    who: item.querySelector('.history-who').textContent,
    what: item.querySelector('.history-what').textContent,
  })));
  assert.deepEqual(entries.map((entry) => entry.version), versions.map((v) => v.version), 'the API\'s order');
  for (let i = 1; i < entries.length; i += 1) assert.ok(entries[i].version < entries[i - 1].version, 'newest first');
  assert.equal(entries[0].version, seen.routingTheirs.version);
  const initial = seen.routingInitial;
  const initialRing = initial.forward.ring_seconds;
  assert.deepEqual(entries.slice(0, 4), [
    { version: versions[0].version, who: USER, what: `Ring ${initialRing + 10} s` },
    { version: versions[1].version, who: USER, what: initial.away.enabled ? 'Away on' : 'Away off' },
    { version: versions[2].version, who: USER,
      what: `${initial.away.enabled ? 'Away off' : 'Away on'}, away message` },
    { version: versions[3].version, who: USER,
      what: `Targets ${NEW_TARGETS.join(', ')}${initial.forward.strategy === 'sequential' ? '' : ', strategy sequential'}` },
  ]);
  assert.equal(await page.locator('#routing-history img').count(), 0);
});

test('a viewer signs in, sees the feed without the Routing panel, and is refused the admin endpoints (403)', async () => {
  const viewer = await newContext();
  try {
    const viewerPage = await viewer.newPage();
    // A next= off this site is ignored: the viewer lands on the feed.
    await viewerPage.goto(`${LOGIN_URL}?next=${encodeURIComponent('https://evil.example/')}`);
    const response = await logIn(viewerPage, VIEWER);
    assert.equal(response.status(), 200);
    await viewerPage.waitForURL(FEED_URL, { timeout: 10000 });
    await viewerPage.waitForSelector('#calls[data-state="ready"]');
    assert.equal(await viewerPage.locator('#calls > li.call').count(), (await apiCalls()).length);
    assert.equal(await viewerPage.textContent('#signed-in-user'), VIEWER.user);
    assert.equal(await viewerPage.textContent('#signed-in-role'), 'viewer');
    // The Routing panel is for admins: a viewer's page never shows it (and never has a Save button to press).
    await viewerPage.waitForSelector('#account:not([hidden])');
    assert.ok(await viewerPage.isHidden('#routing'), 'no Routing panel');
    assert.ok(await viewerPage.isHidden('#routing-save'), 'no Save button');
    const routing = await viewer.request.get(ROUTING_URL);
    assert.equal(routing.status(), 200, 'a viewer may read the routing');
    const { version, routing: doc } = await routing.json();
    const write = await viewer.request.put(ROUTING_URL, { headers: { ...WRITE, 'If-Match': `"${version}"` }, data: doc });
    assert.equal(write.status(), 403, `PUT /api/routing as a viewer: ${await write.text()}`);
    assert.equal((await (await viewer.request.get(ROUTING_URL)).json()).version, version, 'nothing changed');
    // Signed in, the login page goes on to a next= of this site.
    await viewerPage.goto(`${LOGIN_URL}?next=${encodeURIComponent('/?from=login')}`);
    await viewerPage.waitForURL(new URL('/?from=login', FEED_URL).href, { timeout: 10000 });

    const admin = [
      ['GET', '/api/audit'], ['GET', '/api/users'],
      ['POST', '/api/users', { name: 'intruder', role: 'admin', password: 'correct horse battery staple' }],
      ['DELETE', `/api/users/${encodeURIComponent(USER)}`],
    ];
    for (const [method, url, data] of admin) {
      const answer = await viewer.request.fetch(new URL(url, FEED_URL).href,
        { method, headers: method === 'GET' ? {} : WRITE, data });
      assert.equal(answer.status(), 403, `${method} ${url}: ${await answer.text()}`);
      assert.deepEqual(await answer.json(), { error: 'admins only' }, `${method} ${url}`);
    }
  } finally {
    await viewer.close();
  }
});

test('the audit shows the logins, the play and the heard mark, by who did them', async () => {
  assert.ok(seen.played && seen.heard, 'the play and heard tests ran');
  const response = await context.request.get(new URL('/api/audit?limit=200', FEED_URL).href);
  assert.equal(response.status(), 200, await response.text());
  const { entries } = await response.json();
  assert.ok(Array.isArray(entries) && entries.length > 0, 'entries');
  const times = entries.map((entry) => Date.parse(entry.at));
  assert.ok(times.every((t, i) => Number.isFinite(t) && (i === 0 || t <= times[i - 1])), 'newest first');
  const find = (action, user, target) => entries.find((entry) => entry.action === action && entry.user === user &&
    (target === undefined || String(entry.target || '').includes(target)));
  const summary = entries.map((e) => `${e.action}:${e.user}:${e.target}`).join(' ');
  for (const [action, user, target] of [
    ['login', USER], ['login', VIEWER.user],
    ['voicemail_played', USER, seen.played], ['voicemail_heard', USER, seen.played],
    ['voicemail_heard', USER, seen.heard], ['voicemail_unheard', USER, seen.heard],
  ]) {
    const entry = find(action, user, target);
    assert.ok(entry, `${action} by ${user}${target ? ` of ${target}` : ''} in: ${summary}`);
    assert.ok(entry.address, `${action}: from where`);
  }
});

test('logging out ends the session: back to the login, and the old cookie no longer works', async () => {
  const [old] = (await context.cookies(FEED_URL)).filter((c) => c.name === 'sb_session');
  assert.ok(old, 'signed in');
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/session' && r.request().method() === 'DELETE'),
    page.click('#logout'),
  ]);
  assert.equal(response.status(), 204);
  assert.equal(await response.request().headerValue('x-requested-with'), 'switchboard');
  await page.waitForURL(LOGIN_URL, { timeout: 10000 });
  assert.deepEqual((await context.cookies(FEED_URL)).filter((c) => c.name === 'sb_session' && c.value), [],
    'the cookie is cleared');

  // The old token, sent by hand, is refused: the session was revoked on the server, not only forgotten here.
  const replay = await playwrightRequest.newContext({ ignoreHTTPSErrors: true,
    extraHTTPHeaders: { Cookie: `sb_session=${old.value}` } });
  try {
    for (const url of ['/api/calls', '/api/session']) {
      const answer = await replay.get(new URL(url, FEED_URL).href);
      assert.equal(answer.status(), 401, `${url} with the old cookie`);
    }
  } finally {
    await replay.dispose();
  }
  // And a browser that still has it sees the login: the page itself goes there on the API's 401.
  await context.addCookies([old]);
  await page.goto(FEED_URL);
  await page.waitForURL(LOGIN_URL, { timeout: 10000 });
  await page.waitForSelector('#login-form[data-ready="true"]');
});

test('wrong passwords are slowed down and then locked, whether or not the user exists', async () => {
  const { attempts, right } = await lockout;
  const summary = attempts.map((a) => (a.status === 429 ? `429(${a.retryAfter}s)` : String(a.status))).join(' ');
  console.log(`wrong passwords for ${LOCKED.user}: ${summary}; then the right one: ${right.status} (${right.retryAfter} s)`);
  for (const a of attempts) {
    assert.ok(a.status === 401 || a.status === 429, summary);
    if (a.status === 401) assert.deepEqual(a.body, { error: 'wrong user name or password' });
    if (a.status === 429) {
      assert.ok(Number.isInteger(a.retryAfter) && a.retryAfter > 0, JSON.stringify(a.body));
      assert.equal(typeof a.body.error, 'string');
      assert.equal(a.header, String(a.retryAfter), 'Retry-After says the same');
    }
  }
  // A few mistypes cost nothing; then waits that grow with every failure; then a long lock.
  const firstWait = attempts.findIndex((a) => a.status === 429);
  assert.ok(firstWait >= 2, `free failures first: ${summary}`);
  const waits = attempts.filter((a) => a.status === 429).map((a) => a.retryAfter);
  const lock = waits.at(-1);
  assert.ok(lock >= LOCK_AT_LEAST_S, `locked at the end: ${summary}`);
  const slowing = waits.slice(0, -1);
  assert.ok(slowing.length >= 3, `waits before the lock: ${summary}`);
  for (let i = 1; i < slowing.length; i += 1) assert.ok(slowing[i] > slowing[i - 1], `growing waits: ${summary}`);
  // Locked means locked: the right password is refused too.
  assert.equal(right.status, 429, 'the right password is refused while locked');
  assert.ok(right.retryAfter >= LOCK_AT_LEAST_S, JSON.stringify(right.body));
  // An unknown user gets the very answer a known one gets.
  assert.equal(unknownUser.status, 401);
  assert.deepEqual(unknownUser.body, { error: 'wrong user name or password' });

  // And the login page says so, in the server's words, with when to try again.
  const attacker = await newContext();
  try {
    const loginPage = await attacker.newPage();
    await loginPage.goto(LOGIN_URL);
    const unknown = await logIn(loginPage, { user: `nobody-${Date.now()}`, password: 'not the password at all' });
    assert.equal(unknown.status(), 401);
    await loginPage.waitForSelector('#login-form[data-status="401"] #login-error:not([hidden])');
    assert.equal(await loginPage.textContent('#login-error'), 'wrong user name or password');
    assert.ok(await loginPage.isEnabled('#login-submit'), 'a plain refusal lets the user try again at once');

    const locked = await logIn(loginPage, LOCKED);
    assert.equal(locked.status(), 429, 'the right password is refused while locked');
    const lockedBody = await locked.json();
    await loginPage.waitForSelector('#login-form[data-status="429"] #login-error:not([hidden])');
    const shown = await loginPage.textContent('#login-error');
    assert.ok(shown.startsWith(lockedBody.error), `page: ${shown}`);
    // When to try again: in the server's words, or the page's own "Try again in N seconds/minutes."
    const own = /Try again in (\d+) (second|minute)s?\./.exec(shown);
    if (own) {
      const promised = Number(own[1]) * (own[2] === 'minute' ? 60 : 1);
      assert.ok(promised >= lockedBody.retry_after_s && promised < lockedBody.retry_after_s + 60, `page: ${shown}`);
    } else {
      assert.match(lockedBody.error, /try again/i, 'the server said when');
      assert.ok(shown.includes(String(lockedBody.retry_after_s)), `page: ${shown}`);
    }
    assert.ok(await loginPage.isDisabled('#login-submit'), 'the button waits out the delay');
    assert.match(await loginPage.textContent('#login-submit'), /^Wait \d+ s$/);
    assert.equal(new URL(loginPage.url()).pathname, '/login', 'still on the login page');
    const shot = path.join(artifacts, 'login-locked.png');
    await loginPage.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
  } finally {
    await attacker.close();
  }
});

test('the pages ran without script errors, CSP violations or dialogs', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(dialogs, []);
});
