// A call's event timeline, shown under its row when the row is opened: when each webhook arrived, what it said (the
// telling parameters as chips, all of them behind a disclosure). Loaded from /api/calls/{sid} on every opening and
// whenever the opened row's call changes.
import { api, callUrl } from './api.js';
import { h } from './dom.js';
import { formatMoment, humanize, parseTime, secondsFormat } from './format.js';

// Parameters worth seeing at a glance; the full set is one click away.
const KEY_PARAMS = ['Digits', 'SpeechResult', 'CallStatus', 'DialCallStatus', 'DialBridged', 'DialCallDuration',
  'CallDuration', 'RecordingStatus', 'RecordingDuration', 'TranscriptionStatus', 'AnsweredBy', 'Channel', 'Result',
  'MessageStatus', 'ErrorCode', 'Source'];

// How the call's detail names its notifications (store/notification_queue.h's channels).
const CHANNELS = {
  sms: 'Voicemail SMS',
  webhook: 'Voicemail webhook',
  audio: 'Voicemail audio',
  'text-back': 'Text back',
  'sms-fallback': 'SMS retry (webhook)',
};

// "delivered", "undelivered (error 30003)", "sent", "pending (2 attempts)": what became of a notification.
export function notificationState(notification) {
  if (notification.delivery_status) {
    return notification.delivery_status +
      (notification.delivery_error_code ? ` (error ${notification.delivery_error_code})` : '');
  }
  if (notification.status === 'pending' && notification.attempts > 0) {
    return `pending (${notification.attempts} attempt${notification.attempts === 1 ? '' : 's'})`;
  }
  return notification.status;
}

export function toggleRow(row, sid) {
  const open = !row.classList.contains('is-open');
  row.classList.toggle('is-open', open);
  row.querySelector('.call-summary').setAttribute('aria-expanded', String(open));
  const detail = row.querySelector('.call-detail');
  detail.hidden = !open;
  if (open) loadTimeline(row, sid);
}

export async function loadTimeline(row, sid) {
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
  for (const notification of Array.isArray(call.notifications) ? call.notifications : []) {
    facts.push([CHANNELS[notification.channel] || humanize(notification.channel), notificationState(notification)]);
  }
  if (call.reconciliation) facts.push(['Checked with Twilio', call.reconciliation.result]);

  const wrapper = h('div', { class: 'detail-inner' },
    h('div', { class: 'detail-facts' },
      facts.map(([label, value]) => h('span', { class: 'fact' },
        h('span', { class: 'fact-label', text: label }), h('span', { class: 'fact-value', text: value })))));

  if (events.length === 0) {
    wrapper.append(h('p', { class: 'is-muted', text: 'No events recorded for this call.' }));
    return wrapper;
  }
  const list = h('ol', { class: 'timeline', 'aria-label': 'Timeline' });
  for (const event of events) list.append(renderEvent(event));
  wrapper.append(list);
  return wrapper;
}

// How the timeline names the routing rule that decided a step (ivr::rule in fcgi/ivr/call_flow.h).
const RULES = {
  blocklist: 'the blocklist',
  holiday: 'a holiday',
  away: 'away',
  'office-hours': 'office hours (closed)',
  menu: 'the menu',
  'menu-forward': 'menu: pressed 1',
  'menu-voicemail': 'menu: pressed 2',
  'menu-repeat': 'menu: asked again',
  'menu-default': 'menu default',
  'target-accepted': 'target pressed 1',
  'target-declined': 'target did not accept',
  'target-answered': 'target answered',
  'next-target': 'next target',
  'no-answer': 'nobody answered: voicemail',
};

function renderEvent(event) {
  const params = event.params && typeof event.params === 'object' ? event.params : null;
  const when = parseTime(event.received_at);
  const highlights = params
    ? KEY_PARAMS.filter((key) => params[key] !== undefined && params[key] !== '').map((key) => [key, params[key]])
    : [];
  return h('li', { class: 'event', 'data-kind': event.kind },
    h('time', { class: 'event-time', datetime: event.received_at || null, text: when ? secondsFormat.format(when) : '—' }),
    h('div', { class: 'event-body' },
      h('div', { class: 'event-title' },
        h('span', { class: 'event-label', text: event.label || humanize(event.kind || 'event') }),
        h('code', { class: 'event-kind', text: event.kind })),
      event.rule ? h('div', { class: 'event-rule' },
        h('span', { class: 'param-key', text: 'routed by' }),
        h('span', { class: 'param-value', text: RULES[event.rule] || humanize(event.rule) }),
        event.rule_detail ? h('span', { class: 'param-value', text: event.rule_detail }) : null) : null,
      highlights.length ? h('div', { class: 'event-highlights' },
        highlights.map(([key, value]) => h('span', { class: 'param-chip' },
          h('span', { class: 'param-key', text: key }), h('span', { class: 'param-value', text: paramText(value) }))))
        : null,
      params ? paramsDetails(params) : h('span', { class: 'is-muted', text: 'parameters unreadable' })));
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
