// The routing's history in the Routing panel: a <details> (#routing-history) listing the last versions, newest first
// (GET /api/routing/history?limit=20): which version, who saved it, when, and what it changed from the one before
// (routing-doc.js). Loaded when opened, and again after each save while it is open.
import { api } from './api.js';
import { byId, h } from './dom.js';
import { formatMoment, fullFormat, parseTime } from './format.js';
import { describeChanges } from './routing-doc.js';

const LIMIT = 20;

const ui = { box: byId('routing-history'), list: byId('routing-history-list'), note: byId('routing-history-note') };

let generation = 0; // answers to older requests are dropped

export function wire() {
  ui.box.addEventListener('toggle', () => {
    if (ui.box.open) refresh();
  });
}

export async function refresh() {
  if (!ui.box.open) return;
  const mine = (generation += 1);
  ui.box.dataset.state = 'loading';
  ui.list.setAttribute('aria-busy', 'true');
  try {
    const answer = await api(`/api/routing/history?${new URLSearchParams({ limit: String(LIMIT) })}`);
    if (mine !== generation) return;
    render(Array.isArray(answer.versions) ? answer.versions : []);
    ui.note.hidden = true;
    ui.box.dataset.state = 'ready';
  } catch (error) {
    if (mine !== generation || error.status === 401) return;
    ui.note.textContent = `The history is unavailable right now (${error.message}).`;
    ui.note.hidden = false;
    ui.box.dataset.state = 'error';
  } finally {
    if (mine === generation) ui.list.setAttribute('aria-busy', 'false');
  }
}

function render(versions) {
  ui.list.replaceChildren(...versions.map((entry, i) => {
    const before = versions[i + 1];
    let what;
    if (before) what = describeChanges(before.routing, entry.routing);
    else if (entry.version === 0) what = 'The server\u2019s configuration';
    else what = versions.length >= LIMIT ? 'Earlier versions are not listed' : 'First saved version';
    const at = parseTime(entry.changed_at);
    return h('li', { class: 'history-entry', 'data-version': entry.version },
      h('span', { class: 'history-version', text: `Version ${entry.version}` }),
      h('span', { class: 'history-who',
        text: entry.changed_by || (entry.version === 0 ? 'configuration' : 'unknown') }),
      at ? h('time', { class: 'history-when', datetime: entry.changed_at, title: fullFormat.format(at),
        text: formatMoment(entry.changed_at) }) : h('span', { class: 'history-when', text: '' }),
      h('span', { class: 'history-what', text: what }));
  }));
  if (versions.length === 0) ui.list.append(h('li', { class: 'history-empty', text: 'No versions yet.' }));
}
