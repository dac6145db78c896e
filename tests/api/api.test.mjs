// The API's description (nginx/www/api/openapi.json) against the running API.
//
// Run by tests/api/run.sh, which starts a private stack, adds a viewer, seeds calls with callsim and passes:
//   FEED_URL, FEED_USER, FEED_PASSWORD, FEED_TOKEN   the stack's admin (password and API token)
//   VIEWER_USER, VIEWER_PASSWORD                     a viewer
//   PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN, TWILIO_ACCOUNT_SID, STACK_DIR   to sign webhooks as Twilio and reach the stack
// First the document itself is validated as OpenAPI 3.1 (@seriousme/openapi-schema-validator) and its schemas
// compiled in Ajv's strict mode (JSON Schema 2020-12). Then every operation is called over HTTPS, its success and
// its errors, and each real answer is checked against the document: the status must be one the operation documents,
// the content type one that status documents, the body valid against its schema (Ajv, with formats), the headers it
// declares required present and valid. Last, the fake Twilio and then the database are stopped, for the 502 of a
// voicemail fetch and the 503 of every operation. The run fails if any operation, or any documented status of an
// operation, was never seen.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const DOCUMENT_FILE = path.join(here, '../../nginx/www/api/openapi.json');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run tests/api/run.sh)`);
  return value;
}

const FEED_URL = new URL(required('FEED_URL'));
const STACK_DIR = required('STACK_DIR');
const ADMIN = { user: required('FEED_USER'), password: required('FEED_PASSWORD') };
const VIEWER = { user: required('VIEWER_USER'), password: required('VIEWER_PASSWORD') };
const TOKEN = required('FEED_TOKEN');
const PUBLIC_BASE_URL = required('PUBLIC_BASE_URL').replace(/\/$/, '');
const TWILIO_AUTH_TOKEN = required('TWILIO_AUTH_TOKEN');
const TWILIO_ACCOUNT_SID = required('TWILIO_ACCOUNT_SID');
const CA = readFileSync(path.join(STACK_DIR, 'nginx/tls.crt'));
// A connection per request: an answer that leaves a body unread (nginx's 413) cannot spoil the next request.
const agent = new https.Agent({ ca: CA, keepAlive: false });

const documentText = readFileSync(DOCUMENT_FILE, 'utf8');
const doc = JSON.parse(documentText);

// --- The document's operations, and what the run saw of them ----------------------------------------------------
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const operations = new Map(); // operationId → { method, path, operation }
for (const [template, item] of Object.entries(doc.paths)) {
  for (const method of METHODS) {
    if (item[method]) operations.set(item[method].operationId, { method: method.toUpperCase(), path: template, operation: item[method] });
  }
}
const seen = new Map([...operations.keys()].map((id) => [id, new Set()])); // operationId → statuses seen
let validated = 0;

function resolve(node) {
  while (node && node.$ref) {
    assert.match(node.$ref, /^#\//, `only local references: ${node.$ref}`);
    node = node.$ref.slice(2).split('/').reduce((at, key) => at?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
    assert.ok(node, 'a $ref that leads nowhere');
  }
  return node;
}

// Ajv sees the components' schemas as one schema's $defs (the document itself is not a JSON Schema).
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
const toAjv = (schema) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"sb#/$defs/'));
ajv.addSchema({ $id: 'sb', $defs: toAjv(doc.components.schemas) });
const compiled = new Map();
function validator(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) compiled.set(key, ajv.compile(toAjv(schema)));
  return compiled.get(key);
}
function assertValid(schema, value, where) {
  const validate = validator(schema);
  if (!validate(value)) {
    const errors = validate.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('; ');
    assert.fail(`${where}: ${errors}\n${JSON.stringify(value).slice(0, 600)}`);
  }
}

// --- HTTPS --------------------------------------------------------------------------------------------------------
function request(method, url, { headers = {}, body } = {}) {
  return new Promise((resolvePromise, reject) => {
    const sent = body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) };
    const req = https.request(url, { method, headers: sent, agent, timeout: 15000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const sessions = {}; // 'admin' | 'viewer' → Cookie header value

// Calls operation `id` and checks the answer against the document; expects `status` (or one of an array). Options:
//   params (path parameters), query (string after '?'), headers, body (object → JSON, string → as is),
//   as: 'admin' | 'viewer' (their session cookie) | 'token' (the admin's bearer token) | null (nothing),
//   csrf: false to leave out X-Requested-With on a state change.
// Returns { status, headers, body, json }.
async function exercise(id, status, { params = {}, query = '', headers = {}, body, as = 'admin', csrf = true } = {}) {
  const entry = operations.get(id);
  assert.ok(entry, `no operation ${id} in the document`);
  const url = new URL(entry.path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(params[name])), FEED_URL);
  const sent = { ...headers };
  if (as === 'token') sent.Authorization = `Bearer ${TOKEN}`;
  else if (as) sent.Cookie = sessions[as];
  if (csrf && entry.method !== 'GET') sent['X-Requested-With'] = 'api-test';
  const payload = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  if (body !== undefined) sent['Content-Type'] ??= 'application/json';
  const res = await request(entry.method, url.href + (query ? `?${query}` : ''), { headers: sent, body: payload });
  const where = `${entry.method} ${entry.path}${query ? `?${query}` : ''} → ${res.status}`;
  res.json = check(id, res, where);
  const expected = [status].flat();
  assert.ok(expected.includes(res.status), `${where}, expected ${expected.join(' or ')}: ${res.body.toString().slice(0, 300)}`);
  return res;
}

// The answer against the operation's documented responses; the parsed JSON body, if any.
function check(id, res, where) {
  const { operation } = operations.get(id);
  const documented = resolve(operation.responses[String(res.status)]);
  assert.ok(documented, `${where}: status ${res.status} is not documented for ${id} ` +
    `(documented: ${Object.keys(operation.responses).join(', ')}): ${res.body.toString().slice(0, 300)}`);
  seen.get(id).add(String(res.status));
  validated += 1;
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const declared = resolve(header);
    let value = res.headers[name.toLowerCase()];
    if (Array.isArray(value)) value = value.join(', ');
    if (value === undefined) {
      assert.ok(!declared.required, `${where}: the required header ${name} is missing`);
      continue;
    }
    assertValid(declared.schema, value, `${where}, header ${name}`);
  }
  if (!documented.content) {
    assert.equal(res.body.length, 0, `${where}: documented without a body, but it has one`);
    return undefined;
  }
  const contentType = res.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0].trim();
  const media = documented.content[mediaType];
  assert.ok(media, `${where}: content type "${contentType}" is not documented (${Object.keys(documented.content).join(', ')})`);
  if (mediaType === 'application/json') {
    assert.match(contentType, /charset=utf-8/i, `${where}: JSON without charset=utf-8`);
    let value;
    try {
      value = JSON.parse(res.body.toString('utf8'));
    } catch (error) {
      assert.fail(`${where}: not JSON (${error.message}): ${res.body.toString().slice(0, 200)}`);
    }
    assertValid(media.schema, value, where);
    return value;
  }
  if (mediaType.startsWith('text/')) {
    assertValid(media.schema, res.body.toString('utf8'), where);
    return undefined;
  }
  // Binary (the voicemail's audio): a body of that type. An MP3 starts with an ID3 tag or an MPEG frame sync.
  assert.ok(res.body.length > 0, `${where}: an empty ${mediaType} body`);
  if (mediaType === 'audio/mpeg' && res.status === 200) {
    assert.ok(res.body.subarray(0, 3).toString('latin1') === 'ID3' || (res.body[0] === 0xff && (res.body[1] & 0xe0) === 0xe0),
      `${where}: not an MP3`);
  }
  return undefined;
}

async function signIn({ user, password }) {
  const res = await exercise('signIn', 200, { as: null, body: { user, password } });
  assert.equal(res.json.user, user);
  return res.headers['set-cookie'][0].split(';')[0];
}

// --- Twilio's side: a webhook signed as Twilio signs it, so the test can shape a call callsim would not make --------
async function twilioWebhook(pathAndQuery, params) {
  const url = PUBLIC_BASE_URL + pathAndQuery;
  const signed = url + Object.keys(params).sort().map((key) => key + params[key]).join('');
  const signature = crypto.createHmac('sha1', TWILIO_AUTH_TOKEN).update(signed).digest('base64');
  const res = await request('POST', url, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  assert.ok(res.status >= 200 && res.status < 300, `${pathAndQuery}: ${res.status} ${res.body.toString().slice(0, 200)}`);
}

// A call that left a voicemail with recording `recordingSid`, as the Record action reports it.
async function callWithVoicemail(recordingSid) {
  const callSid = `CA${crypto.randomBytes(16).toString('hex')}`;
  const common = { AccountSid: TWILIO_ACCOUNT_SID, CallSid: callSid, From: '+15035550177', To: '+15005550006', Direction: 'inbound' };
  await twilioWebhook('/twilio/voice', { ...common, CallStatus: 'ringing' });
  await twilioWebhook('/twilio/voice/voicemail-done', {
    ...common, CallStatus: 'in-progress', RecordingSid: recordingSid, RecordingDuration: '4',
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Recordings/${recordingSid}`,
  });
  return callSid;
}

function stopStackProcess(pidFile, seconds) {
  const pid = Number(readFileSync(path.join(STACK_DIR, 'run', pidFile), 'utf8').trim());
  assert.ok(pid > 1, `no pid in ${pidFile}`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return; // gone
    }
    assert.ok(Date.now() < deadline, `${pidFile}: still running ${seconds} s after SIGTERM`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

const big = JSON.stringify({ filler: 'x'.repeat(17 * 1024) }); // over the API's 16 KiB body limit
const calls = {}; // what the seeded calls are: { voicemail, noVoicemail, any }

after(() => agent.destroy());

// --- The document ---------------------------------------------------------------------------------------------------
test('the document is valid OpenAPI 3.1, its schemas valid JSON Schema 2020-12 (Ajv strict)', async () => {
  const openapi = new Validator();
  const result = await openapi.validate(structuredClone(doc));
  assert.ok(result.valid, `not a valid OpenAPI document: ${JSON.stringify(result.errors, null, 1)}`);
  assert.equal(openapi.version, '3.1');
  assert.equal(doc.openapi, '3.1.0');
  for (const name of Object.keys(doc.components.schemas)) assert.ok(ajv.getSchema(`sb#/$defs/${name}`), name);
  // Every operation named, and every response of it resolvable, with a schema Ajv compiles.
  for (const [id, { method, path: template, operation }] of operations) {
    assert.ok(id, `${method} ${template} has no operationId`);
    for (const [status, response] of Object.entries(operation.responses)) {
      assert.match(status, /^[1-5][0-9][0-9]$/, `${id}: responses are listed by exact status`);
      const resolved = resolve(response);
      for (const media of Object.values(resolved.content ?? {})) validator(media.schema);
      for (const header of Object.values(resolved.headers ?? {})) validator(resolve(header).schema);
    }
  }
  // Strict: every object the API emits is closed, so an undocumented member fails the run.
  const open = [];
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    if (schema.type === 'object' && schema.additionalProperties !== false && schema.unevaluatedProperties !== false &&
        !['Credentials', 'NewUser', 'HeardMark', 'CallFields'].includes(name)) open.push(name);
  }
  assert.deepEqual(open, [], 'objects the API emits without additionalProperties: false');
  // Every path under /api/, and not /twilio/ nor /healthz.
  for (const template of Object.keys(doc.paths)) assert.match(template, /^\/api\//);
});

test('GET /api/openapi.json: this file, public (no session), JSON, with the site\'s security headers', async () => {
  const res = await exercise('getOpenApi', 200, { as: null });
  assert.equal(res.body.toString('utf8'), documentText, 'nginx serves the file of the checkout');
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.match(res.headers['content-security-policy'], /default-src 'none'/);
  assert.equal(res.headers['x-switchboard-answered-by'], undefined, 'answered by nginx, not a worker');
  assert.match(doc.info.description, /public/);
  assert.deepEqual(operations.get('getOpenApi').operation.security, []);
});

// --- Sessions -------------------------------------------------------------------------------------------------------
test('POST /api/session: sign-in, its refusals and its throttle', async () => {
  sessions.admin = await signIn(ADMIN);
  sessions.viewer = await signIn(VIEWER);
  const wrong = await exercise('signIn', 401, { as: null, body: { user: ADMIN.user, password: 'not-the-password' } });
  assert.equal(wrong.json.error, 'wrong user name or password');
  await exercise('signIn', 400, { as: null, body: { user: ADMIN.user } });
  await exercise('signIn', 400, { as: null, body: '{"user": ' });
  await exercise('signIn', 415, { as: null, body: { user: ADMIN.user, password: ADMIN.password }, csrf: false });
  await exercise('signIn', 415, { as: null, body: 'user=admin', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  await exercise('signIn', 413, { as: null, body: big });
  // A name nobody has: the first failures are free, then each one makes the next attempt wait (1 s, 2 s, …).
  let throttled;
  for (let attempt = 1; attempt <= 5 && !throttled; attempt += 1) {
    const res = await exercise('signIn', attempt <= 3 ? 401 : [401, 429], { as: null, body: { user: 'nobody-at-all', password: 'guess-number-x' } });
    if (res.status === 429) throttled = res;
  }
  assert.ok(throttled, 'no 429 within five failed sign-ins of one name');
  assert.equal(throttled.headers['retry-after'], String(throttled.json.retry_after_s));
});

test('GET /api/session: who is signed in, by cookie or by token', async () => {
  const bySession = await exercise('whoAmI', 200);
  assert.deepEqual([bySession.json.user, bySession.json.role, bySession.json.via], [ADMIN.user, 'admin', 'session']);
  const byToken = await exercise('whoAmI', 200, { as: 'token' });
  assert.deepEqual([byToken.json.via, byToken.json.expires_at], ['token', null]);
  assert.equal((await exercise('whoAmI', 200, { as: 'viewer' })).json.role, 'viewer');
  await exercise('whoAmI', 401, { as: null });
  await exercise('whoAmI', 401, { as: null, headers: { Cookie: 'sb_session=not-a-session' } });
});

test('DELETE /api/session: sign-out ends the session', async () => {
  sessions.spare = await signIn(ADMIN);
  await exercise('signOut', 415, { as: 'spare', csrf: false });
  await exercise('signOut', 413, { as: 'spare', body: big });
  await exercise('signOut', 204, { as: 'spare' });
  await exercise('whoAmI', 401, { as: 'spare' });
  await exercise('signOut', 204, { as: null }); // no session at all: still signed out
});

// --- Accounts -------------------------------------------------------------------------------------------------------
test('GET/POST /api/users, DELETE /api/users/{name}', async () => {
  const list = await exercise('listUsers', 200);
  assert.deepEqual(list.json.users.map((u) => u.name).sort(), [ADMIN.user, VIEWER.user].sort());
  await exercise('listUsers', 403, { as: 'viewer' });
  await exercise('listUsers', 401, { as: null });

  const newcomer = { name: 'newcomer-nina', role: 'viewer', password: crypto.randomBytes(9).toString('hex') };
  assert.deepEqual((await exercise('addUser', 201, { body: newcomer })).json, { name: newcomer.name, role: 'viewer' });
  await exercise('addUser', 409, { body: newcomer });
  await exercise('addUser', 400, { body: { ...newcomer, name: 'weak-walt', password: 'short' } });
  await exercise('addUser', 400, { body: { name: 'no-role' } });
  await exercise('addUser', 415, { body: newcomer, csrf: false });
  await exercise('addUser', 413, { body: big });
  await exercise('addUser', 403, { as: 'viewer', body: { ...newcomer, name: 'by-viewer' } });
  await exercise('addUser', 401, { as: null, body: newcomer });

  await exercise('removeUser', 415, { params: { name: newcomer.name }, csrf: false });
  await exercise('removeUser', 413, { params: { name: newcomer.name }, body: big });
  await exercise('removeUser', 403, { as: 'viewer', params: { name: newcomer.name } });
  await exercise('removeUser', 401, { as: null, params: { name: newcomer.name } });
  await exercise('removeUser', 204, { params: { name: newcomer.name } });
  await exercise('removeUser', 404, { params: { name: newcomer.name } });
  const lastAdmin = await exercise('removeUser', 400, { params: { name: ADMIN.user } });
  assert.match(lastAdmin.json.error, /last admin/);
});

test('GET /api/audit: newest first, in pages; admins only', async () => {
  const first = await exercise('listAudit', 200, { query: 'limit=2' });
  assert.equal(first.json.entries.length, 2);
  assert.ok(first.json.next_cursor);
  const second = await exercise('listAudit', 200, { query: `limit=2&cursor=${first.json.next_cursor}` });
  assert.ok(second.json.entries[0].id < first.json.entries[1].id, 'the next page is older');
  assert.ok((await exercise('listAudit', 200)).json.entries.some((e) => e.action === 'user_removed'));
  await exercise('listAudit', 400, { query: 'limit=0' });
  await exercise('listAudit', 400, { query: 'page=2' });
  await exercise('listAudit', 403, { as: 'viewer' });
  await exercise('listAudit', 401, { as: null });
});

// --- Routing --------------------------------------------------------------------------------------------------------
test('GET/PUT /api/routing with If-Match, GET /api/routing/history', async () => {
  const current = await exercise('getRouting', 200, { as: 'viewer' });
  assert.equal(current.headers.etag, `"${current.json.version}"`);
  await exercise('getRouting', 401, { as: null });

  const edited = structuredClone(current.json.routing);
  edited.forward.ring_seconds = current.json.routing.forward.ring_seconds === 25 ? 26 : 25;
  const ifMatch = { 'If-Match': current.headers.etag };
  await exercise('putRouting', 403, { as: 'viewer', body: edited, headers: ifMatch });
  await exercise('putRouting', 401, { as: null, body: edited, headers: ifMatch });
  await exercise('putRouting', 415, { body: edited, headers: ifMatch, csrf: false });
  await exercise('putRouting', 413, { body: big, headers: ifMatch });
  const badTarget = structuredClone(edited);
  badTarget.forward.targets = [edited.forward.targets[0], '+1555-not-a-number'];
  const refused = await exercise('putRouting', 400, { body: badTarget, headers: ifMatch });
  assert.equal(refused.json.field, 'forward.targets[1]');
  await exercise('putRouting', 400, { body: { ...edited, extra: true }, headers: ifMatch });
  await exercise('putRouting', 400, { body: edited, headers: { 'If-Match': '"three"' } });
  const saved = await exercise('putRouting', 200, { body: edited, headers: ifMatch });
  assert.equal(saved.json.version, current.json.version + 1);
  assert.equal(saved.json.changed_by, ADMIN.user);
  assert.deepEqual(saved.json.routing, edited);
  const stale = await exercise('putRouting', 409, { body: edited, headers: ifMatch });
  assert.equal(stale.json.version, saved.json.version);

  const page = await exercise('getRoutingHistory', 200, { query: 'limit=1', as: 'viewer' });
  assert.deepEqual(page.json.versions.map((v) => v.version), [saved.json.version]);
  assert.equal(page.json.next_before, saved.json.version);
  const rest = await exercise('getRoutingHistory', 200, { query: `before=${page.json.next_before}` });
  assert.equal(rest.json.versions.at(-1).version, 0, 'the history ends with version 0');
  assert.equal(rest.json.versions.at(-1).changed_by, null);
  await exercise('getRoutingHistory', 400, { query: 'limit=101' });
  await exercise('getRoutingHistory', 401, { as: null });
});

// --- Calls ----------------------------------------------------------------------------------------------------------
test('GET /api/calls: pages, filters, refusals', async () => {
  const all = await exercise('listCalls', 200, { as: 'viewer' });
  assert.equal(all.json.calls.length, 4, 'the four seeded calls');
  assert.equal(all.json.next_cursor, null);
  const first = await exercise('listCalls', 200, { query: 'limit=3', as: 'token' });
  assert.ok(first.json.next_cursor);
  const second = await exercise('listCalls', 200, { query: `limit=3&cursor=${first.json.next_cursor}` });
  assert.deepEqual([...first.json.calls, ...second.json.calls].map((c) => c.sid), all.json.calls.map((c) => c.sid));
  const voicemails = await exercise('listCalls', 200, { query: 'outcome=voicemail&has_voicemail=true&since=2000-01-01' });
  assert.equal(voicemails.json.calls.length, 2);
  assert.ok(voicemails.json.calls.every((c) => c.voicemail && c.voicemail.transcription));
  assert.deepEqual(new Set(all.json.calls.map((c) => c.outcome)), new Set(['answered', 'voicemail', 'abandoned']));
  calls.voicemail = voicemails.json.calls[0].sid;
  calls.noVoicemail = all.json.calls.find((c) => !c.voicemail).sid;
  for (const query of ['limit=500', 'cursor=nope', 'status=lost', 'outcome=maybe', 'since=yesterday', 'colour=red']) {
    await exercise('listCalls', 400, { query });
  }
  await exercise('listCalls', 401, { as: null });
});

test('GET /api/calls.csv: the filter as a file', async () => {
  const res = await exercise('exportCalls', 200, { query: 'has_voicemail=true' });
  const rows = res.body.toString('utf8').trimEnd().split('\r\n');
  assert.equal(rows.length, 3, 'the header and two voicemails');
  await exercise('exportCalls', 400, { query: 'limit=10' });
  await exercise('exportCalls', 400, { query: 'menu_choice=maybe' });
  await exercise('exportCalls', 401, { as: null });
});

test('GET /api/summary: counts of a period', async () => {
  const res = await exercise('getSummary', 200, { query: 'since=2000-01-01T00:00:00Z&until=2199-01-01' });
  assert.deepEqual([res.json.calls, res.json.answered, res.json.voicemails, res.json.abandoned], [4, 1, 2, 1]);
  await exercise('getSummary', 400);
  await exercise('getSummary', 400, { query: 'since=2026-02-30' });
  await exercise('getSummary', 401, { as: null, query: 'since=2000-01-01' });
});

test('GET /api/calls/{sid}: one call with its timeline', async () => {
  const res = await exercise('getCall', 200, { params: { sid: calls.voicemail }, as: 'viewer' });
  assert.ok(res.json.events.some((e) => e.kind === 'voicemail-done'));
  await exercise('getCall', 404, { params: { sid: 'CA00000000000000000000000000000000' } });
  await exercise('getCall', 404, { params: { sid: 'not*a*sid' } });
  await exercise('getCall', 401, { as: null, params: { sid: calls.voicemail } });
});

test('GET /api/calls/{sid}/voicemail: the audio, ranges, and calls without playable audio', async () => {
  const params = { sid: calls.voicemail };
  const whole = await exercise('getVoicemailAudio', 200, { params });
  const part = await exercise('getVoicemailAudio', 206, { params, headers: { Range: 'bytes=10-99' } });
  assert.equal(part.body.length, 90);
  assert.deepEqual(part.body, whole.body.subarray(10, 100));
  assert.equal(part.headers['content-range'], `bytes 10-99/${whole.body.length}`);
  await exercise('getVoicemailAudio', 416, { params, headers: { Range: `bytes=${whole.body.length + 10}-` } });
  await exercise('getVoicemailAudio', 404, { params: { sid: calls.noVoicemail } });
  await exercise('getVoicemailAudio', 404, { params: { sid: 'CA00000000000000000000000000000000' } });
  // A recording Twilio does not have (the fake answers 404 for RE000… SIDs): not playable yet.
  const notYet = await callWithVoicemail(`RE000${crypto.randomBytes(14).toString('hex')}0`);
  await exercise('getVoicemailAudio', 409, { params: { sid: notYet } });
  // A voicemail whose audio the retention purge deleted, marked as the purge marks it (the purge itself is
  // retention_test.cpp's): 410, and the call says so.
  const purged = await callWithVoicemail(`RE${crypto.randomBytes(16).toString('hex')}`);
  execFileSync('mariadb', ['-S', required('DB_SOCKET'), '-u', 'root', 'switchboard', '-e',
    `UPDATE calls SET recording_deleted_at = NOW(3) WHERE sid = '${purged}'`]);
  await exercise('getVoicemailAudio', 410, { params: { sid: purged } });
  const gone = await exercise('getCall', 200, { params: { sid: purged } });
  assert.equal(gone.json.voicemail.deleted, true);
  assert.equal(gone.json.voicemail.url, null);
  assert.equal(gone.json.voicemail.kept_days, 0);
  await exercise('getVoicemailAudio', 401, { as: null, params });
});

test('POST /api/calls/{sid}/voicemail/heard', async () => {
  const params = { sid: calls.voicemail };
  const heard = await exercise('markVoicemailHeard', 200, { params, body: { heard: true }, as: 'viewer' });
  assert.equal(heard.json.voicemail.heard, true);
  assert.equal((await exercise('markVoicemailHeard', 200, { params, body: { heard: false } })).json.voicemail.heard, false);
  await exercise('markVoicemailHeard', 400, { params, body: { heard: 'yes' } });
  await exercise('markVoicemailHeard', 404, { params: { sid: calls.noVoicemail }, body: { heard: true } });
  await exercise('markVoicemailHeard', 415, { params, body: { heard: true }, csrf: false });
  await exercise('markVoicemailHeard', 413, { params, body: big });
  await exercise('markVoicemailHeard', 401, { as: null, params, body: { heard: true } });
});

// --- Across operations ----------------------------------------------------------------------------------------------
test('every operation: an unreadable query string is a plain-text 400', async () => {
  const params = { sid: calls.voicemail, name: 'nobody-here' };
  for (const id of operations.keys()) {
    if (id === 'getOpenApi') continue; // a static file: nginx does not read its query
    const res = await exercise(id, 400, { params, query: 'x=%zz', as: id === 'signIn' ? null : 'admin' });
    assert.match(res.headers['content-type'], /^text\/plain/, `${id}: the unreadable-request 400 is text`);
  }
});

test('methods a path is not served with: 405 with Allow (404 or 405 under the prefix routes)', async () => {
  const candidates = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
  const methodNotAllowed = resolve(doc.components.responses.MethodNotAllowed);
  for (const [template, item] of Object.entries(doc.paths)) {
    const documented = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
    const url = new URL(template.replace(/\{(\w+)\}/g, (_, name) => (name === 'sid' ? calls.voicemail : 'nobody-here')), FEED_URL);
    for (const method of candidates.filter((m) => !documented.includes(m))) {
      const res = await request(method, url.href, { headers: { Cookie: sessions.admin, 'X-Requested-With': 'api-test' } });
      const where = `${method} ${template} → ${res.status}`;
      validated += 1;
      if (template === '/api/openapi.json') {
        assert.equal(res.status, 405, where); // nginx's own page for a static file
        assert.match(res.headers['content-type'], /^text\/html/, where);
        continue;
      }
      assertValid(methodNotAllowed.content['application/json'].schema, JSON.parse(res.body.toString()), where);
      if (!template.includes('{')) {
        assert.equal(res.status, 405, where);
        assert.deepEqual(res.headers.allow.split(', ').sort(), [...documented].sort(), `${where}: Allow`);
      } else {
        assert.ok([404, 405].includes(res.status), where);
        if (res.status === 405) {
          for (const m of documented) assert.ok(res.headers.allow.split(', ').includes(m), `${where}: Allow ${res.headers.allow}`);
        }
      }
    }
  }
});

// --- What a healthy stack never answers: Twilio unreachable, then the database down ----------------------------------
test('Twilio unreachable: a voicemail not fetched yet is a 502', async () => {
  stopStackProcess('fake-twilio.pid', 10);
  const unfetched = await callWithVoicemail(`RE${crypto.randomBytes(16).toString('hex')}`);
  const res = await exercise('getVoicemailAudio', 502, { params: { sid: unfetched } });
  assert.match(res.json.error, /Twilio/);
});

test('the database down: every operation that reads it is a 503 with Retry-After', async () => {
  stopStackProcess('mariadb.pid', 60);
  const params = { sid: calls.voicemail, name: 'nobody-here' };
  for (const [id, { method }] of operations) {
    if (id === 'getOpenApi') continue;
    const options = { params, as: id === 'signIn' ? null : 'admin' };
    if (id === 'signIn') options.body = ADMIN;
    if (id === 'addUser') options.body = { name: 'while-down', role: 'viewer', password: 'long-enough-1' };
    if (id === 'putRouting') options.body = { anything: true };
    if (id === 'markVoicemailHeard') options.body = { heard: true };
    if (id === 'getSummary') options.query = 'since=2000-01-01';
    const res = await exercise(id, 503, options);
    assert.equal(res.headers['retry-after'], '5', `${method} ${id}`);
  }
  // Without credentials nothing needs the database: still 401, and this document is still served.
  await exercise('listCalls', 401, { as: null });
  await exercise('getOpenApi', 200, { as: null });
});

test('coverage: every documented operation, and every status it documents, was seen', () => {
  const missing = [];
  for (const [id, { operation }] of operations) {
    for (const status of Object.keys(operation.responses)) {
      if (!seen.get(id).has(status)) missing.push(`${id} ${status}`);
    }
  }
  assert.deepEqual(missing, [], 'documented but never exercised');
  const statuses = [...seen.values()].reduce((n, s) => n + s.size, 0);
  console.log(`validated ${validated} responses: ${operations.size} operations, ${statuses} documented (operation, status) pairs`);
});
