// The call list, newest first: the first page on load or when the filter changes, older pages on "Load more", and
// a poll of the first page that puts new calls at their place (announced to screen readers) and re-renders calls
// that changed. The server filters (filters.js); rows are keyed by call SID, so a call is never listed twice.
import { announceNewCalls } from './announcer.js';
import { api, callUrl } from './api.js';
import { byId } from './dom.js';
import * as filters from './filters.js';
import { renderRow } from './rows.js';
import { reportError, reportSuccess } from './status.js';
import { loadTimeline, toggleRow } from './timeline.js';

const PAGE_SIZE = 50; // rows asked for per request

const ui = { list: byId('calls'), empty: byId('empty'), more: byId('load-more'), count: byId('shown-count') };

export const list = {
  filter: filters.current(),
  shown: new Map(),  // sid → { call, el, signature }
  cursor: null,      // next_cursor of the last page loaded (null: nothing more)
  generation: 0,     // bumped when the filter changes; answers of older generations are dropped
  loading: false,
  loaded: false,     // the first page of this generation arrived
};

let voicemailChanged = () => {};

// fn runs after a voicemail was marked heard or unheard (the summary counts unheard ones).
export function onVoicemailChange(fn) {
  voicemailChanged = fn;
}

const handlers = {
  toggle: toggleRow,
  setHeard,
  played(sid, note) {
    const entry = list.shown.get(sid);
    if (entry && entry.call.voicemail && !entry.call.voicemail.heard) setHeard(sid, true, null, note);
  },
};

function pageUrl(cursor) {
  const params = filters.query(list.filter);
  params.set('limit', String(PAGE_SIZE));
  if (cursor) params.set('cursor', cursor);
  return `/api/calls?${params}`;
}

export function setFilter(filter) {
  list.filter = filter;
  renderChrome();
  return load(true);
}

// The first page (reset) or the next one.
export async function load(reset) {
  if (reset) {
    list.generation += 1;
    list.shown.clear();
    ui.list.replaceChildren();
    list.cursor = null;
    list.loaded = false;
  }
  const generation = list.generation;
  list.loading = true;
  ui.list.dataset.state = 'loading';
  ui.list.setAttribute('aria-busy', 'true');
  ui.more.disabled = true;
  let failed = false;
  try {
    const page = await api(pageUrl(list.cursor));
    if (generation !== list.generation) return;
    for (const call of page.calls || []) {
      if (!list.shown.has(call.sid)) ui.list.append(addRow(call, false));
    }
    list.cursor = page.next_cursor || null;
    list.loaded = true;
    reportSuccess('calls');
  } catch (error) {
    if (generation !== list.generation) return;
    failed = true;
    reportError('calls', error);
  } finally {
    if (generation === list.generation) {
      list.loading = false;
      ui.list.setAttribute('aria-busy', 'false');
      ui.list.dataset.state = failed && !list.loaded ? 'error' : 'ready';
      renderChrome();
    }
  }
}

// Polls the first page: adds calls not shown yet (at their place in the server's order), updates changed ones.
export async function poll() {
  const generation = list.generation;
  let page;
  try {
    page = await api(pageUrl(null));
  } catch (error) {
    if (generation === list.generation) reportError('calls', error);
    return;
  }
  if (generation !== list.generation || list.loading) return;
  const arrived = [];
  let anchor = null; // the row after which the next new call goes; null: at the top
  for (const call of page.calls || []) {
    const entry = list.shown.get(call.sid);
    if (entry) {
      updateRow(entry, call);
      anchor = entry.el;
    } else {
      const row = addRow(call, true);
      if (anchor) anchor.after(row);
      else ui.list.prepend(row);
      anchor = row;
      arrived.push(call);
    }
  }
  reportSuccess('calls');
  renderChrome();
  announceNewCalls(arrived);
}

function renderChrome() {
  const shown = list.shown.size;
  ui.more.hidden = !list.cursor;
  ui.more.disabled = list.loading;
  ui.count.textContent = shown === 0 ? '' : `${shown} call${shown === 1 ? '' : 's'} shown`;
  if (shown === 0 && list.loaded) {
    ui.empty.hidden = false;
    ui.empty.textContent = filters.isFiltered(list.filter) ? 'No calls match this filter.' : 'No calls yet.';
  } else {
    ui.empty.hidden = true;
  }
  ui.list.dataset.filter = filters.label(list.filter);
}

function addRow(call, fresh) {
  const el = renderRow(call, handlers);
  if (fresh) {
    el.classList.add('is-new');
    el.addEventListener('animationend', () => el.classList.remove('is-new'), { once: true });
  }
  list.shown.set(call.sid, { call, el, signature: JSON.stringify(call) });
  return el;
}

function removeRow(sid) {
  const entry = list.shown.get(sid);
  if (!entry) return;
  entry.el.remove();
  list.shown.delete(sid);
}

// Re-renders a row whose call changed, keeping what the office manager is doing with it: the audio player (and its
// playback) and the opened timeline.
function updateRow(entry, call, force = false) {
  const signature = JSON.stringify(call);
  if (!force && signature === entry.signature) return;
  const old = entry.el;
  const row = renderRow(call, handlers);
  const oldAudio = old.querySelector('audio');
  const newAudio = row.querySelector('audio');
  if (oldAudio && newAudio && oldAudio.getAttribute('src') === newAudio.getAttribute('src')) {
    newAudio.replaceWith(oldAudio);
  }
  if (old.classList.contains('is-open')) {
    row.querySelector('.call-detail').replaceWith(old.querySelector('.call-detail'));
    row.classList.add('is-open');
    row.querySelector('.call-summary').setAttribute('aria-expanded', 'true');
    loadTimeline(row, call.sid);
  }
  old.replaceWith(row);
  entry.el = row;
  entry.call = call;
  entry.signature = signature;
}

async function setHeard(sid, heard, button, note) {
  if (button) button.disabled = true;
  if (note) note.textContent = '';
  try {
    const call = await api(`${callUrl(sid)}/voicemail/heard`, { method: 'POST', json: { heard } });
    delete call.events;
    const entry = list.shown.get(sid);
    if (entry) {
      if (filters.matches(list.filter, call)) updateRow(entry, call, true);
      else removeRow(sid);
    }
    voicemailChanged();
  } catch (error) {
    if (note) note.textContent = `Could not save (${error.message}).`;
    if (button) button.disabled = false;
  }
}
