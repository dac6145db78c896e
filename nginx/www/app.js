// Switchboard's activity feed: the calls, newest first, today's summary and chart, voicemail playback.
//
// Plain browser JavaScript, no build step. The page runs under a strict CSP (script-src 'self'; style-src 'self'),
// so nothing here uses inline scripts, inline style attributes or innerHTML: every piece of caller data goes into the
// DOM as a text node (textContent / createTextNode), so a caller named "<img src=x onerror=…>" is shown as text.
// The API is same-origin and protected by HTTP basic auth: the browser sends the credentials it logged in with.
'use strict';

(() => {
  const PAGE_SIZE = 50;          // rows asked for per request (and the target of one "load")
  const MAX_PAGES_PER_LOAD = 8;  // bound on requests per load when filtering client-side
  const POLL_MS = 10000;         // new calls and the summary are refreshed this often
  const FIRST_RETRY_MS = 3000;   // first retry after the initial load failed

  // The outcomes the API reports, how the page names them and explains them.
  const OUTCOMES = {
    answered: { label: 'Answered', hint: 'Forwarded and picked up' },
    missed: { label: 'Missed', hint: 'Forwarded, nobody picked up, no message left' },
    voicemail: { label: 'Voicemail', hint: 'The caller left a message' },
    abandoned: { label: 'Abandoned', hint: 'The caller hung up in the menu' },
    'in-progress': { label: 'In progress', hint: 'The call is still going on' },
  };

  // Outcome filters: what the API can filter itself, and what the page keeps of the answer.
  const FILTERS = {
    all: { params: {}, keep: () => true },
    answered: { params: { menu_choice: 'forward' }, keep: (c) => c.outcome === 'answered' },
    missed: { params: { menu_choice: 'forward' }, keep: (c) => c.outcome === 'missed' },
    voicemail: { params: { has_voicemail: 'true' }, keep: (c) => c.voicemail != null },
    abandoned: { params: { menu_choice: 'none', has_voicemail: 'false' }, keep: (c) => c.outcome === 'abandoned' },
  };

  const CHOICES = {
    forward: { label: 'Be connected', hint: 'Pressed 1: forward the call' },
    voicemail: { label: 'Leave a message', hint: 'Pressed 2: voicemail' },
  };

  // Parameters worth seeing at a glance in the timeline; the full set is one click away.
  const KEY_PARAMS = ['Digits', 'SpeechResult', 'CallStatus', 'DialCallStatus', 'DialBridged', 'DialCallDuration',
    'CallDuration', 'RecordingStatus', 'RecordingDuration', 'TranscriptionStatus', 'AnsweredBy', 'ErrorCode'];

  const SEGMENTS = [ // bottom to top in a bar
    { key: 'answered', label: 'answered' },
    { key: 'voicemail', label: 'voicemail' },
    { key: 'missed', label: 'missed' },
    { key: 'abandoned', label: 'abandoned' },
    { key: 'in_progress', label: 'in progress', cls: 'in-progress' },
  ];

  const SVG_NS = 'http://www.w3.org/2000/svg';

  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
  const secondsFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
  const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric' });
  const longDayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
  const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
  const hourFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });

  const $ = (id) => document.getElementById(id);
  const ui = {
    list: $('calls'), empty: $('empty'), more: $('load-more'), count: $('shown-count'),
    banner: $('banner'), bannerText: $('banner-text'), bannerAction: $('banner-action'),
    live: $('live-status'), updated: $('updated-at'), today: $('today-label'),
    summary: $('summary'), summaryNote: $('summary-note'), chart: $('chart'),
    voicemailOnly: $('voicemail-only'), outcomeFilter: $('outcome-filter'),
    stats: {
      calls: $('stat-calls'), answered: $('stat-answered'), missed: $('stat-missed'),
      voicemails: $('stat-voicemails'), unheard: $('stat-unheard'), talk: $('stat-talk'),
    },
    unheardCard: $('stat-unheard-card'),
  };

  const state = {
    filter: 'all',
    voicemailOnly: false,
    shown: new Map(),     // sid → { call, el, signature }
    cursor: null,         // next_cursor of the last page loaded (null: nothing more)
    generation: 0,        // bumped when the filter changes; answers of older generations are dropped
    loading: false,
    loaded: false,        // the first load of this generation succeeded
    errors: new Map(),    // source ('calls', 'summary', …) → ApiError
    lastSuccess: null,
  };

  // ---------------------------------------------------------------------------------------------------------------
  // DOM helpers: text goes in as text nodes, attributes through setAttribute (never "style").

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }

  function svg(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }

  function setAttrs(el, attrs) {
    if (!attrs) return;
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
      else if (name === 'text') el.textContent = String(value);
      else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
  }

  function append(el, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Formatting.

  function minSec(seconds) {
    if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return '—';
    const total = Math.max(0, Math.round(Number(seconds)));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const secs = String(total % 60).padStart(2, '0');
    return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
  }

  function parseTime(iso) {
    if (!iso) return null;
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  function localMidnight(now = new Date()) {
    return new Date(now.getFullYear(), now.getMonth(), now.getDate());
  }

  // An ISO 8601 time with the browser's UTC offset, e.g. 2026-11-26T00:00:00-06:00.
  function isoWithOffset(date) {
    const pad = (n) => String(Math.abs(Math.trunc(n))).padStart(2, '0');
    const offset = -date.getTimezoneOffset();
    const sign = offset >= 0 ? '+' : '-';
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
      `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
      `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
  }

  function place(call) {
    return [call.from_city, call.from_state, call.from_country].filter((part) => part).join(', ');
  }

  function humanize(value) {
    return String(value).replace(/[-_]/g, ' ');
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The API.

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, options = {}) {
    let response;
    try {
      response = await fetch(path, {
        credentials: 'same-origin',
        cache: 'no-store',
        ...options,
        headers: { Accept: 'application/json', ...(options.headers || {}) },
      });
    } catch (error) {
      throw new ApiError(0, 'the server could not be reached');
    }
    let body = null;
    if ((response.headers.get('Content-Type') || '').includes('json')) {
      try {
        body = await response.json();
      } catch (error) {
        body = null;
      }
    }
    // The session ended (signed out elsewhere, expired, password changed): to the sign-in page.
    if (response.status === 401) window.location.assign('/login');
    if (!response.ok) {
      const message = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      throw new ApiError(response.status, message);
    }
    if (body === null || typeof body !== 'object') throw new ApiError(response.status, 'the server sent no JSON');
    return body;
  }

  function callUrl(sid) {
    return `/api/calls/${encodeURIComponent(sid)}`;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Status: the banner, the "updated at" line.

  function reportError(source, error) {
    state.errors.set(source, error);
    renderStatus();
  }

  function reportSuccess(source) {
    state.errors.delete(source);
    // A request that went through proves the login works again.
    for (const [key, error] of state.errors) if (error.status === 401) state.errors.delete(key);
    if (source === 'calls') state.lastSuccess = new Date();
    renderStatus();
  }

  function renderStatus() {
    const errors = [...state.errors.values()];
    const unauthorized = errors.find((error) => error.status === 401);
    const callsError = state.errors.get('calls');
    ui.bannerAction.hidden = true;
    if (unauthorized) {
      ui.banner.hidden = false;
      ui.banner.dataset.kind = 'auth';
      ui.bannerText.textContent =
        'Login needed: the server no longer accepts this browser\u2019s sign-in. Reload the page to log in again.';
      ui.bannerAction.textContent = 'Reload and log in';
      ui.bannerAction.hidden = false;
      ui.bannerAction.onclick = () => window.location.reload();
    } else if (callsError) {
      ui.banner.hidden = false;
      ui.banner.dataset.kind = 'error';
      ui.bannerText.textContent = `Could not load calls \u2014 retrying (${callsError.message}).`;
      ui.bannerAction.textContent = 'Retry now';
      ui.bannerAction.hidden = false;
      ui.bannerAction.onclick = () => tick();
    } else {
      ui.banner.hidden = true;
      delete ui.banner.dataset.kind;
    }

    if (callsError || unauthorized) {
      ui.live.dataset.state = 'error';
      ui.updated.textContent = state.lastSuccess
        ? `Offline \u2014 last updated ${secondsFormat.format(state.lastSuccess)}`
        : 'Not connected';
    } else if (state.lastSuccess) {
      ui.live.dataset.state = 'live';
      ui.updated.textContent = `Live \u00b7 updated ${secondsFormat.format(state.lastSuccess)}`;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The call list.

  function listParams(cursor) {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), ...FILTERS[state.filter].params });
    if (state.voicemailOnly) {
      if (params.get('has_voicemail') === 'false') return null; // "abandoned" calls never have a voicemail
      params.set('has_voicemail', 'true');
    }
    if (cursor) params.set('cursor', cursor);
    return params;
  }

  function keep(call) {
    return FILTERS[state.filter].keep(call) && (!state.voicemailOnly || call.voicemail != null);
  }

  function signatureOf(call) {
    return JSON.stringify(call);
  }

  async function loadCalls(reset) {
    if (reset) {
      state.generation += 1;
      state.shown.clear();
      ui.list.replaceChildren();
      state.cursor = null;
      state.loaded = false;
    }
    const generation = state.generation;
    state.loading = true;
    ui.list.dataset.state = 'loading';
    ui.list.setAttribute('aria-busy', 'true');
    ui.more.disabled = true;
    let cursor = state.cursor;
    let failed = false;
    try {
      let added = 0;
      let pages = 0;
      do {
        const params = listParams(cursor);
        if (!params) {
          cursor = null;
          break;
        }
        const page = await api(`/api/calls?${params}`);
        if (generation !== state.generation) return;
        for (const call of page.calls || []) {
          if (!keep(call) || state.shown.has(call.sid)) continue;
          ui.list.append(addRow(call, false));
          added += 1;
        }
        cursor = page.next_cursor || null;
        pages += 1;
      } while (cursor && added < PAGE_SIZE && pages < MAX_PAGES_PER_LOAD);
      state.cursor = cursor;
      state.loaded = true;
      reportSuccess('calls');
    } catch (error) {
      if (generation !== state.generation) return;
      failed = true;
      reportError('calls', error);
    } finally {
      if (generation === state.generation) {
        state.loading = false;
        ui.list.setAttribute('aria-busy', 'false');
        ui.list.dataset.state = failed && !state.loaded ? 'error' : 'ready';
        renderListChrome();
      }
    }
  }

  // Polls the first page: prepends calls not shown yet (at their place in the server's order) and updates changed ones.
  async function pollCalls() {
    const generation = state.generation;
    const params = listParams(null);
    if (!params) {
      reportSuccess('calls');
      return;
    }
    let page;
    try {
      page = await api(`/api/calls?${params}`);
    } catch (error) {
      if (generation === state.generation) reportError('calls', error);
      return;
    }
    if (generation !== state.generation || state.loading) return;
    let anchor = null; // the row after which the next new call goes; null: at the top
    for (const call of page.calls || []) {
      const entry = state.shown.get(call.sid);
      if (!keep(call)) {
        if (entry) removeRow(call.sid);
        continue;
      }
      if (entry) {
        updateRow(entry, call);
        anchor = entry.el;
      } else {
        const row = addRow(call, true);
        if (anchor) anchor.after(row);
        else ui.list.prepend(row);
        anchor = row;
      }
    }
    reportSuccess('calls');
    renderListChrome();
  }

  function renderListChrome() {
    const count = state.shown.size;
    ui.more.hidden = !state.cursor;
    ui.more.disabled = state.loading;
    ui.count.textContent = count === 0 ? '' : `${count} call${count === 1 ? '' : 's'} shown`;
    const filtered = state.filter !== 'all' || state.voicemailOnly;
    if (count === 0 && state.loaded) {
      ui.empty.hidden = false;
      ui.empty.textContent = filtered ? 'No calls match this filter.' : 'No calls yet.';
    } else {
      ui.empty.hidden = true;
    }
    ui.list.dataset.filter = state.filter + (state.voicemailOnly ? '+voicemail' : '');
  }

  function addRow(call, fresh) {
    const el = renderRow(call);
    if (fresh) {
      el.classList.add('is-new');
      el.addEventListener('animationend', () => el.classList.remove('is-new'), { once: true });
    }
    state.shown.set(call.sid, { call, el, signature: signatureOf(call) });
    return el;
  }

  function removeRow(sid) {
    const entry = state.shown.get(sid);
    if (!entry) return;
    entry.el.remove();
    state.shown.delete(sid);
  }

  // Re-renders a row whose call changed, keeping what the office manager is doing with it: the audio player (and its
  // playback) and the opened timeline.
  function updateRow(entry, call, force = false) {
    const signature = signatureOf(call);
    if (!force && signature === entry.signature) return;
    const old = entry.el;
    const row = renderRow(call);
    const oldAudio = old.querySelector('audio');
    const newAudio = row.querySelector('audio');
    if (oldAudio && newAudio && oldAudio.getAttribute('src') === newAudio.getAttribute('src')) {
      newAudio.replaceWith(oldAudio);
    }
    if (old.classList.contains('is-open')) {
      const oldDetail = old.querySelector('.call-detail');
      const newDetail = row.querySelector('.call-detail');
      newDetail.replaceWith(oldDetail);
      row.classList.add('is-open');
      row.querySelector('.call-summary').setAttribute('aria-expanded', 'true');
      loadTimeline(row, call.sid);
    }
    old.replaceWith(row);
    entry.el = row;
    entry.call = call;
    entry.signature = signature;
  }

  function renderRow(call) {
    const outcome = OUTCOMES[call.outcome] ? call.outcome : 'unknown';
    const vm = call.voicemail;
    const detailId = `detail-${call.sid}`;
    const row = h('li', {
      class: ['call', `outcome-${outcome}`, vm && !vm.heard && 'is-unheard'],
      'data-sid': call.sid,
      'data-outcome': call.outcome,
      'data-heard': vm ? String(Boolean(vm.heard)) : null,
    });

    const summary = h('div', {
      class: 'call-summary', role: 'button', tabindex: '0', 'aria-expanded': 'false', 'aria-controls': detailId,
      title: 'Show the call\u2019s timeline',
    },
    timeCell(call), callerCell(call), choiceCell(call),
    h('div', { class: 'cell c-outcome' }, badge(call.outcome)),
    h('div', { class: 'cell c-talk num' }, h('span', { class: 'cell-label', text: 'Talk' }),
      h('span', { class: 'cell-value', text: minSec(call.talk_s) })),
    h('div', { class: 'cell c-duration num' }, h('span', { class: 'cell-label', text: 'Duration' }),
      h('span', { class: 'cell-value', text: minSec(call.duration_s) })),
    h('span', { class: 'chevron', 'aria-hidden': 'true' }));
    summary.addEventListener('click', () => toggleRow(row, call.sid));
    summary.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggleRow(row, call.sid);
      }
    });
    row.append(summary);

    if (vm) row.append(voicemailBlock(call));
    row.append(h('div', { class: 'call-detail', id: detailId, hidden: true }));
    return row;
  }

  function timeCell(call) {
    const started = parseTime(call.started_at);
    const cell = h('div', { class: 'cell c-time' });
    if (!started) {
      cell.append(h('span', { class: 'time-main', text: '—' }));
      return cell;
    }
    cell.append(h('time', { class: 'time-main', datetime: call.started_at, title: fullFormat.format(started) },
      timeFormat.format(started)));
    if (!sameDay(started, new Date())) cell.append(h('span', { class: 'time-day', text: dayFormat.format(started) }));
    return cell;
  }

  function callerCell(call) {
    const name = call.caller_name && call.caller_name.trim() ? call.caller_name : null;
    const where = place(call);
    return h('div', { class: 'cell c-caller' },
      h('span', { class: ['caller-name', !name && 'is-unknown'], text: name || call.from || 'Unknown caller' }),
      h('span', { class: 'caller-meta' },
        name && call.from ? h('span', { class: 'caller-number', text: call.from }) : null,
        name && call.from && where ? h('span', { class: 'sep', 'aria-hidden': 'true', text: '\u00b7' }) : null,
        where ? h('span', { class: 'caller-place', text: where }) : null));
  }

  function choiceCell(call) {
    const cell = h('div', { class: 'cell c-choice' });
    const choice = CHOICES[call.menu_choice];
    if (choice) {
      cell.append(h('span', { class: 'choice-main', title: choice.hint, text: choice.label }));
    } else if (call.menu_choice) {
      cell.append(h('span', { class: 'choice-main', text: humanize(call.menu_choice) }));
    } else if (call.outcome === 'abandoned') {
      cell.append(h('span', { class: 'choice-main is-muted', text: 'Hung up in menu' }));
    } else if (call.outcome === 'in-progress') {
      cell.append(h('span', { class: 'choice-main is-muted', text: 'In the menu\u2026' }));
    } else {
      cell.append(h('span', { class: 'choice-main is-muted', text: 'No choice' }));
    }
    const details = [];
    if (!call.menu_choice && call.outcome === 'voicemail') details.push('sent to voicemail');
    if (call.menu_choice === 'forward') {
      if (call.forwarded_to) details.push(`to ${call.forwarded_to}`);
      if (call.dial_status && call.outcome !== 'answered') details.push(humanize(call.dial_status));
      if (call.outcome === 'voicemail') details.push('then voicemail');
    }
    if (details.length) cell.append(h('span', { class: 'choice-meta', text: details.join(' \u00b7 ') }));
    return cell;
  }

  function badge(outcome) {
    const known = OUTCOMES[outcome];
    return h('span', {
      class: ['badge', `badge-${known ? outcome : 'unknown'}`],
      'data-outcome': outcome,
      title: known ? known.hint : null,
      text: known ? known.label : humanize(outcome || 'unknown'),
    });
  }

  function voicemailBlock(call) {
    const vm = call.voicemail;
    const block = h('div', { class: 'voicemail' });
    const audio = h('audio', { controls: true, preload: 'none', src: vm.url });
    const note = h('span', { class: 'vm-note', role: 'status' });
    // The player moves to the row's new rendering when the call changes: find the current note through it.
    const currentNote = () => audio.closest('.voicemail')?.querySelector('.vm-note') || note;
    audio.addEventListener('error', () => {
      currentNote().textContent = 'The recording is not available yet.';
    });
    // Listening to the whole message counts as hearing it.
    audio.addEventListener('ended', () => {
      const entry = state.shown.get(call.sid);
      if (entry && entry.call.voicemail && !entry.call.voicemail.heard) setHeard(call.sid, true, null, currentNote());
    });

    const toggle = h('button', {
      type: 'button', class: ['button', 'button-small', 'vm-toggle'],
      text: vm.heard ? 'Mark as unheard' : 'Mark as heard',
    });
    toggle.addEventListener('click', () => setHeard(call.sid, !vm.heard, toggle, note));

    block.append(
      h('div', { class: 'vm-row' },
        h('span', { class: ['vm-marker', vm.heard ? 'is-heard' : 'is-unheard'], text: vm.heard ? 'Heard' : 'Unheard' }),
        audio,
        vm.duration_s !== null && vm.duration_s !== undefined
          ? h('span', { class: 'vm-length', text: `${minSec(vm.duration_s)} message` }) : null,
        toggle,
        note));

    if (vm.transcription) {
      block.append(h('p', { class: 'transcription' },
        h('span', { class: 'transcription-label', text: 'Transcription' }),
        h('span', { class: 'transcription-text', text: vm.transcription })));
    } else if (vm.transcription_status === 'in-progress') {
      block.append(h('p', { class: 'transcription is-muted', text: 'Transcribing\u2026' }));
    } else if (vm.transcription_status === 'failed') {
      block.append(h('p', { class: 'transcription is-muted', text: 'No transcription (it failed).' }));
    }
    return block;
  }

  async function setHeard(sid, heard, button, note) {
    if (button) button.disabled = true;
    if (note) note.textContent = '';
    try {
      const call = await api(`${callUrl(sid)}/voicemail/heard`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'switchboard' },
        body: JSON.stringify({ heard }),
      });
      delete call.events;
      const entry = state.shown.get(sid);
      if (entry) {
        if (keep(call)) updateRow(entry, call, true);
        else removeRow(sid);
      }
      refreshSummary();
    } catch (error) {
      if (error.status === 401) reportError('heard', error);
      if (note) note.textContent = `Could not save (${error.message}).`;
      if (button) button.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The timeline of one call.

  function toggleRow(row, sid) {
    const open = !row.classList.contains('is-open');
    row.classList.toggle('is-open', open);
    row.querySelector('.call-summary').setAttribute('aria-expanded', String(open));
    const detail = row.querySelector('.call-detail');
    detail.hidden = !open;
    if (open) loadTimeline(row, sid);
  }

  async function loadTimeline(row, sid) {
    const detail = row.querySelector('.call-detail');
    if (!detail.hasChildNodes()) detail.append(h('p', { class: 'detail-loading', text: 'Loading the timeline\u2026' }));
    detail.dataset.state = 'loading';
    try {
      const call = await api(callUrl(sid));
      detail.replaceChildren(renderTimeline(call));
      detail.dataset.state = 'ready';
    } catch (error) {
      detail.replaceChildren(h('p', { class: 'detail-error', text: `Could not load the timeline (${error.message}).` }));
      detail.dataset.state = 'error';
      if (error.status === 401) reportError('timeline', error);
    }
  }

  function renderTimeline(call) {
    const events = Array.isArray(call.events) ? call.events : [];
    const facts = [];
    if (call.started_at) facts.push(['Started', formatMoment(call.started_at)]);
    if (call.answered_at) facts.push(['Answered', formatMoment(call.answered_at)]);
    if (call.ended_at) facts.push(['Ended', formatMoment(call.ended_at)]);
    facts.push(['Twilio status', call.status || '—']);
    if (call.to) facts.push(['Called number', call.to]);
    facts.push(['Call SID', call.sid]);

    const wrapper = h('div', { class: 'detail-inner' },
      h('div', { class: 'detail-facts' },
        facts.map(([label, value]) => h('span', { class: 'fact' },
          h('span', { class: 'fact-label', text: label }), h('span', { class: 'fact-value', text: value })))));

    if (events.length === 0) {
      wrapper.append(h('p', { class: 'is-muted', text: 'No events recorded for this call.' }));
      return wrapper;
    }
    const list = h('ol', { class: 'timeline', 'aria-label': 'Timeline' });
    for (const event of events) {
      const params = event.params && typeof event.params === 'object' ? event.params : null;
      const when = parseTime(event.received_at);
      const highlights = params
        ? KEY_PARAMS.filter((key) => params[key] !== undefined && params[key] !== '').map((key) => [key, params[key]])
        : [];
      const item = h('li', { class: 'event', 'data-kind': event.kind },
        h('time', { class: 'event-time', datetime: event.received_at || null, text: when ? secondsFormat.format(when) : '—' }),
        h('div', { class: 'event-body' },
          h('div', { class: 'event-title' },
            h('span', { class: 'event-label', text: event.label || humanize(event.kind || 'event') }),
            h('code', { class: 'event-kind', text: event.kind })),
          highlights.length ? h('div', { class: 'event-highlights' },
            highlights.map(([key, value]) => h('span', { class: 'param-chip' },
              h('span', { class: 'param-key', text: key }), h('span', { class: 'param-value', text: paramText(value) }))))
            : null,
          params ? paramsDetails(params) : h('span', { class: 'is-muted', text: 'parameters unreadable' })));
      list.append(item);
    }
    wrapper.append(list);
    return wrapper;
  }

  function paramsDetails(params) {
    const keys = Object.keys(params).sort();
    const details = h('details', { class: 'event-params' }, h('summary', { text: `All parameters (${keys.length})` }));
    const dl = h('dl', { class: 'params' });
    for (const key of keys) dl.append(h('dt', { text: key }), h('dd', { text: paramText(params[key]) }));
    details.append(dl);
    return details;
  }

  function paramText(value) {
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  function formatMoment(iso) {
    const date = parseTime(iso);
    if (!date) return String(iso);
    return sameDay(date, new Date()) ? secondsFormat.format(date) : `${dayFormat.format(date)}, ${secondsFormat.format(date)}`;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Today's summary and chart.

  let summaryInFlight = false;

  async function refreshSummary() {
    if (summaryInFlight) return;
    summaryInFlight = true;
    const now = new Date();
    ui.today.textContent = longDayFormat.format(now);
    try {
      const summary = await api(`/api/summary?${new URLSearchParams({ since: isoWithOffset(localMidnight(now)) })}`);
      renderSummary(summary);
      ui.summary.dataset.state = 'ready';
      ui.summaryNote.hidden = true;
      reportSuccess('summary');
    } catch (error) {
      ui.summary.dataset.state = 'error';
      ui.summaryNote.hidden = false;
      ui.summaryNote.textContent = error.status === 401
        ? 'Login needed to see today\u2019s summary.'
        : `Today\u2019s summary is unavailable right now (${error.message}).`;
      if (error.status === 401) reportError('summary', error);
      else state.errors.delete('summary');
    } finally {
      summaryInFlight = false;
    }
  }

  function count(value) {
    return Number.isFinite(Number(value)) ? String(Number(value)) : '–';
  }

  function renderSummary(summary) {
    ui.stats.calls.textContent = count(summary.calls);
    ui.stats.answered.textContent = count(summary.answered);
    ui.stats.missed.textContent = count(summary.missed);
    ui.stats.voicemails.textContent = count(summary.voicemails);
    ui.stats.unheard.textContent = count(summary.unheard_voicemails);
    ui.stats.talk.textContent = summary.average_talk_s === null || summary.average_talk_s === undefined
      ? '—' : minSec(summary.average_talk_s);
    const unheard = Number(summary.unheard_voicemails) || 0;
    ui.unheardCard.classList.toggle('has-unheard', unheard > 0);
    document.title = unheard > 0 ? `(${unheard}) Switchboard — calls` : 'Switchboard — calls';
    lastByHour = Array.isArray(summary.by_hour) ? summary.by_hour : [];
    ui.chart.replaceChildren(renderChart(lastByHour));
  }

  let lastByHour = null;
  let resizeTimer = null;
  let chartWidth = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (lastByHour && ui.chart.clientWidth !== chartWidth) ui.chart.replaceChildren(renderChart(lastByHour));
    }, 150);
  });

  // Hour slots from the start of the office day (or the first call) to the current hour (or the last call).
  function chartSlots(byHour) {
    const now = new Date();
    const midnight = localMidnight(now);
    const slots = new Map();
    const bucketOf = (entry) => {
      const start = parseTime(entry.hour_start);
      if (!start) return null;
      const values = {};
      let total = 0;
      for (const segment of SEGMENTS) {
        const n = Math.max(0, Number(entry[segment.key]) || 0);
        values[segment.key] = n;
        total += n;
      }
      return { start, values, total };
    };
    const buckets = byHour.map(bucketOf).filter((bucket) => bucket && bucket.start >= midnight);
    let first = 8;
    let last = Math.max(17, now.getHours());
    for (const bucket of buckets) {
      if (bucket.total === 0) continue;
      first = Math.min(first, bucket.start.getHours());
      last = Math.max(last, bucket.start.getHours());
    }
    last = Math.min(last, 23);
    for (let hour = first; hour <= last; hour += 1) {
      const start = new Date(midnight.getFullYear(), midnight.getMonth(), midnight.getDate(), hour);
      slots.set(start.getTime(), { start, values: {}, total: 0 });
    }
    // Buckets that do not start on a local hour (half-hour time zones) get their own slot.
    for (const bucket of buckets) {
      const slot = slots.get(bucket.start.getTime());
      if (slot) {
        slot.values = bucket.values;
        slot.total = bucket.total;
      } else if (bucket.total > 0) {
        slots.set(bucket.start.getTime(), bucket);
      }
    }
    return [...slots.values()].sort((a, b) => a.start - b.start);
  }

  function renderChart(byHour) {
    const slots = chartSlots(byHour);
    chartWidth = ui.chart.clientWidth;
    const max = Math.max(1, ...slots.map((slot) => slot.total));
    // Gridlines every 1, 2 or 5 × 10^k calls, about four of them.
    const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, max / 4)));
    const tickStep = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => max / candidate <= 4) || magnitude * 10;
    const top = Math.max(1, Math.ceil(max / tickStep)) * tickStep;
    const ticks = [];
    for (let value = 0; value <= top; value += tickStep) ticks.push(value);

    // Drawn at the size it is shown, so the labels keep their size on a phone.
    const width = Math.max(300, Math.round(ui.chart.clientWidth || 720));
    const height = width < 500 ? 150 : 170;
    const margin = { top: 20, right: 8, bottom: 26, left: 30 };
    const plotW = width - margin.left - margin.right;
    const plotH = height - margin.top - margin.bottom;
    const step = plotW / slots.length;
    const barW = Math.max(4, Math.min(34, step * 0.62));
    const y = (value) => margin.top + plotH - (value / top) * plotH;
    const labelEvery = step < 14 ? 4 : step < 24 ? 3 : step < 40 ? 2 : 1;
    // Labels every labelEvery hours, counted back from the current hour (or the last slot) so that one is labelled.
    let anchor = slots.findIndex((slot) => sameDay(slot.start, new Date()) && slot.start.getHours() === new Date().getHours());
    if (anchor < 0) anchor = slots.length - 1;
    const total = slots.reduce((sum, slot) => sum + slot.total, 0);
    const nowHour = new Date();

    const chart = svg('svg', {
      viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', role: 'img', preserveAspectRatio: 'xMidYMid meet',
      'aria-label': `Today's calls by hour: ${total} call${total === 1 ? '' : 's'}`,
    });
    const grid = svg('g', { class: 'grid' });
    for (const tick of ticks) {
      grid.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick),
        class: tick === 0 ? 'baseline' : 'gridline' }));
      grid.append(svg('text', { x: margin.left - 6, y: y(tick) + 4, class: 'axis-label y-label', 'text-anchor': 'end',
        text: String(Math.round(tick)) }));
    }
    chart.append(grid);

    const bars = svg('g', { class: 'bars' });
    slots.forEach((slot, index) => {
      const cx = margin.left + step * index + step / 2;
      const current = sameDay(slot.start, nowHour) && slot.start.getHours() === nowHour.getHours();
      const group = svg('g', { class: ['bar', current && 'is-current'], 'data-hour': slot.start.toISOString() });
      const label = slot.start.getMinutes() === 0 ? hourFormat.format(slot.start) : timeFormat.format(slot.start);
      const parts = SEGMENTS.filter((segment) => slot.values[segment.key] > 0)
        .map((segment) => `${slot.values[segment.key]} ${segment.label}`);
      group.append(svg('title', { text: `${label}: ${slot.total} call${slot.total === 1 ? '' : 's'}` +
        (parts.length ? ` (${parts.join(', ')})` : '') }));
      // A transparent hit area makes the tooltip easy to reach even for short bars.
      group.append(svg('rect', { x: cx - step / 2, y: margin.top, width: step, height: plotH, class: 'hit' }));
      let base = 0;
      for (const segment of SEGMENTS) {
        const n = slot.values[segment.key] || 0;
        if (n <= 0) continue;
        const y0 = y(base);
        const y1 = y(base + n);
        group.append(svg('rect', {
          x: cx - barW / 2, y: y1, width: barW, height: Math.max(1, y0 - y1 - (base + n < slot.total ? 1 : 0)),
          class: `bar-seg seg-${segment.cls || segment.key}`, 'data-count': n,
        }));
        base += n;
      }
      if (slot.total > 0) {
        group.append(svg('text', { x: cx, y: y(slot.total) - 4, class: 'bar-total', 'text-anchor': 'middle',
          text: String(slot.total) }));
      }
      if ((anchor - index) % labelEvery === 0) {
        group.append(svg('text', { x: cx, y: height - 8, class: 'axis-label x-label', 'text-anchor': 'middle',
          text: label }));
      }
      bars.append(group);
    });
    chart.append(bars);
    return chart;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Wiring.

  let timer = null;

  async function tick() {
    if (timer) clearTimeout(timer);
    timer = null;
    const work = [refreshSummary()];
    if (!state.loaded) {
      if (!state.loading) work.push(loadCalls(true));
    } else if (!state.loading) {
      work.push(pollCalls());
    }
    await Promise.allSettled(work);
    // Until the list has loaded once, retry sooner.
    const delay = !state.loaded && !state.lastSuccess ? FIRST_RETRY_MS : POLL_MS;
    if (!timer) timer = setTimeout(tick, delay);
  }

  function readFilter() {
    const checked = ui.outcomeFilter.querySelector('input[name="outcome"]:checked');
    return checked && FILTERS[checked.value] ? checked.value : 'all';
  }

  function onFilterChange() {
    state.filter = readFilter();
    state.voicemailOnly = ui.voicemailOnly.checked;
    renderListChrome();
    loadCalls(true);
  }

  ui.outcomeFilter.addEventListener('change', onFilterChange);
  ui.voicemailOnly.addEventListener('change', onFilterChange);
  ui.more.addEventListener('click', () => {
    if (!state.loading && state.cursor) loadCalls(false);
  });

  // A browser may restore form state on reload: start from what the controls show.
  state.filter = readFilter();
  state.voicemailOnly = ui.voicemailOnly.checked;
  ui.today.textContent = longDayFormat.format(new Date());
  tick();
})();
