// The Routing panel (index.html, #routing), for admins only: how calls are routed, from GET /api/routing, edited in
// the form (routing-form.js, behind "Edit routing") and saved whole with PUT /api/routing and If-Match: "<version
// being edited>". The away switch, always in sight, saves at once: the last saved document with only the away switch
// and message changed, whatever else is being edited. A refusal is shown in the server's words: a 400 beside the
// field it names and in the summary line, a 409 (saved elsewhere meanwhile) with an offer to reload, a 503 saying
// the routing in force has not changed. A 401 is api.js's (the page goes to the login). feed.js starts the panel once
// the session says "admin"; a server without the routing API (404) shows none.
import { api } from './api.js';
import { byId } from './dom.js';
import { formatMoment, fullFormat, parseTime } from './format.js';
import { fieldMessage, sameDoc } from './routing-doc.js';
import * as form from './routing-form.js';
import * as history from './routing-history.js';

const PATH = '/api/routing';

const ui = {
  panel: byId('routing'), form: byId('routing-form'),
  version: byId('routing-version'), changedBy: byId('routing-changed-by'), changedAt: byId('routing-changed-at'),
  loadError: byId('routing-load-error'), loadErrorText: byId('routing-load-error-text'), retry: byId('routing-retry'),
  away: byId('routing-away'), save: byId('routing-save'), discard: byId('routing-discard'),
  dirty: byId('routing-dirty'), status: byId('routing-status'),
  problem: byId('routing-problem'), problemText: byId('routing-problem-text'), reload: byId('routing-reload'),
  toggle: byId('routing-toggle'), editor: byId('routing-editor'), history: byId('routing-history'),
};

const state = {
  saved: null,   // the server's last answer: { version, changed_at, changed_by, routing }
  dirty: false,  // the form differs from saved.routing
  busy: false,   // a PUT is on its way
  wired: false,
};

let announcement = null;

export function start() {
  if (!state.wired) wire();
  return load();
}

function wire() {
  state.wired = true;
  form.wire({ onChange: changed, say });
  history.wire();
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault(); // never submitted by the browser (the CSP's form-action 'none' would refuse it anyway)
    save();
  });
  const edited = (event) => {
    const invalid = event.target.closest('[aria-invalid]');
    if (invalid) form.clearErrorOf(invalid);
    changed();
  };
  ui.form.addEventListener('input', edited);
  ui.form.addEventListener('change', edited);
  ui.away.addEventListener('change', switchAway);
  ui.discard.addEventListener('click', discard);
  ui.toggle.addEventListener('click', () => openEditor(ui.editor.hidden));
  ui.retry.addEventListener('click', () => load());
  ui.reload.addEventListener('click', () => load({ announce: true }));
}

async function load({ announce = false } = {}) {
  ui.panel.dataset.state = 'loading';
  ui.retry.disabled = true;
  try {
    const answer = await api(PATH);
    accept(answer);
    form.render(answer.routing);
    hideProblem();
    ui.loadError.hidden = true;
    ui.form.hidden = false;
    ui.history.hidden = false;
    ui.panel.hidden = false;
    ui.panel.dataset.state = 'ready';
    changed();
    history.refresh();
    if (announce) say(`Reloaded: version ${answer.version}.`);
  } catch (error) {
    if (error.status === 401) return;
    if (error.status === 404 && !state.saved) { // a server without the routing API: no panel at all
      ui.panel.dataset.state = 'unavailable';
      return;
    }
    ui.loadErrorText.textContent = `Could not load the routing (${error.message}).`;
    ui.loadError.hidden = false;
    ui.panel.hidden = false;
    ui.panel.dataset.state = state.saved ? 'ready' : 'error';
  } finally {
    ui.retry.disabled = false;
  }
}

// The server's answer (GET or PUT) becomes what the form is compared with and what the next save replaces.
function accept(answer) {
  state.saved = answer;
  ui.panel.dataset.version = String(answer.version);
  ui.version.textContent = `Version ${answer.version}`;
  const at = parseTime(answer.changed_at);
  if (answer.version === 0 || (!answer.changed_by && !at)) {
    ui.changedBy.textContent = 'from the server\u2019s configuration, not changed here yet';
    ui.changedAt.textContent = '';
    ui.changedAt.removeAttribute('datetime');
    ui.changedAt.removeAttribute('title');
  } else {
    ui.changedBy.textContent = `changed by ${answer.changed_by || 'someone unknown'}`;
    ui.changedAt.textContent = at ? formatMoment(answer.changed_at) : '';
    if (at) {
      ui.changedAt.setAttribute('datetime', answer.changed_at);
      ui.changedAt.setAttribute('title', fullFormat.format(at));
    }
  }
}

// After any edit: whether there is something to save. The away switch never is (it saves itself).
function changed() {
  if (!state.saved) return;
  const { doc } = form.collect(state.saved.routing);
  if (doc.away) doc.away.enabled = state.saved.routing.away?.enabled;
  state.dirty = !sameDoc(doc, state.saved.routing);
  ui.dirty.hidden = !state.dirty;
  ui.panel.dataset.dirty = String(state.dirty);
}

async function save() {
  if (state.busy || !state.saved) return;
  changed();
  if (!state.dirty) {
    say('Nothing to save: the form shows the saved routing.');
    return;
  }
  const { doc, fields } = form.collect(state.saved.routing);
  const answer = await put(doc, fields, 'Not saved');
  if (answer) {
    // Typed while it was on its way: kept (and unsaved); else the form shows what the server stored.
    if (sameDoc(form.collect(doc).doc, doc)) form.render(answer.routing);
    say(`Saved: version ${answer.version}.`);
  }
  changed();
}

async function switchAway() {
  if (state.busy || !state.saved) { // one save at a time: the switch goes back
    form.renderAway({ ...form.readAway(), enabled: !ui.away.checked });
    return;
  }
  const away = form.readAway();
  const doc = structuredClone(state.saved.routing);
  doc.away = { ...(doc.away || {}), ...away };
  const { fields } = form.collect(state.saved.routing);
  const answer = await put(doc, fields, away.enabled ? 'Away not switched on' : 'Away not switched off');
  if (answer) {
    form.renderAway(answer.routing.away);
    say(`Away is ${answer.routing.away?.enabled ? 'on' : 'off'}: version ${answer.version}.`);
  } else {
    form.renderAway({ ...form.readAway(), enabled: Boolean(state.saved.routing.away?.enabled) });
  }
  changed();
}

function discard() {
  if (state.busy || !state.saved) return;
  form.render(state.saved.routing);
  hideProblem();
  changed();
  say('Changes discarded: the form shows the saved routing.');
}

// PUTs `doc` over the version being edited; resolves to the server's answer, or null once the refusal is shown.
async function put(doc, fields, failed) {
  const version = state.saved.version;
  setBusy(true);
  hideProblem();
  form.clearErrors();
  say(''); // the last outcome is no longer news
  try {
    const answer = await api(PATH, { method: 'PUT', json: doc, headers: { 'If-Match': `"${version}"` } });
    accept(answer);
    history.refresh();
    return answer;
  } catch (error) {
    refused(error, fields, failed, version);
    return null;
  } finally {
    setBusy(false);
  }
}

function refused(error, fields, failed, version) {
  if (error.status === 401) return;
  if (error.status === 400) {
    const field = typeof error.body?.field === 'string' ? error.body.field : null;
    const el = field ? form.showFieldError(fields, field, fieldMessage(error.message, field)) : null;
    showProblem(`${failed}: ${sentence(error.message)}`);
    if (el && ui.editor.contains(el)) openEditor(true);
    if (el) form.focusTarget(el)?.focus();
  } else if (error.status === 409) {
    showProblem(`${failed}: ${sentence(error.message)} The routing was changed elsewhere since version ${version}.`,
      { reload: true });
    describeConflict(version);
  } else if (error.status === 403) {
    showProblem(`${failed}: only admins can change the routing.`);
  } else if (error.status === 503) {
    showProblem(`${failed}: ${sentence(error.message)} The routing in force is still version ${version}.`);
  } else {
    showProblem(`${failed} (${error.message}).`);
  }
}

// After a 409: who saved what meanwhile, without touching the form (the edits stay until Reload).
async function describeConflict(version) {
  try {
    const latest = await api(PATH);
    if (ui.problem.hidden || ui.reload.hidden || latest.version === version) return;
    const who = latest.changed_by ? ` by ${latest.changed_by}` : '';
    const when = parseTime(latest.changed_at) ? ` at ${formatMoment(latest.changed_at)}` : '';
    ui.problemText.textContent += ` Version ${latest.version} was saved${who}${when}.`;
    ui.reload.textContent = `Reload version ${latest.version} (your changes here are lost)`;
  } catch (error) {
    // The offer to reload stands without the details.
  }
}

function openEditor(open) {
  ui.editor.hidden = !open;
  ui.toggle.setAttribute('aria-expanded', String(open));
  ui.panel.dataset.editor = open ? 'open' : 'closed';
}

function setBusy(busy) {
  state.busy = busy;
  ui.panel.dataset.state = busy ? 'saving' : 'ready';
  ui.form.setAttribute('aria-busy', String(busy));
  // aria-disabled, not disabled: the focus stays where it was (a disabled button loses it).
  for (const control of [ui.save, ui.discard, ui.away]) control.setAttribute('aria-disabled', String(busy));
  ui.save.textContent = busy ? 'Saving\u2026' : 'Save';
}

function showProblem(text, { reload = false } = {}) {
  ui.problemText.textContent = text;
  ui.reload.textContent = 'Reload the saved routing (your changes here are lost)';
  ui.reload.hidden = !reload;
  ui.problem.hidden = false;
  ui.panel.dataset.problem = 'true';
}

function hideProblem() {
  ui.problem.hidden = true;
  ui.problemText.textContent = '';
  ui.reload.hidden = true;
  delete ui.panel.dataset.problem;
}

// A polite announcement, also shown under the form. Emptied first, so the same words twice are read twice.
function say(text) {
  ui.status.textContent = '';
  clearTimeout(announcement);
  if (!text) return;
  announcement = setTimeout(() => {
    ui.status.textContent = text;
  }, 50);
}

function sentence(text) {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
