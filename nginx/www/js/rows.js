// One call as a row of the list: time, caller, menu choice, outcome badge, talk time and duration, the voicemail
// player with its heard marker and transcription, and an (empty, hidden) place for the timeline. Rendering only:
// what a click does is up to the list (calls.js), through the handlers it passes in.
import { h } from './dom.js';
import { dayFormat, fullFormat, humanize, minSec, parseTime, place, sameDay, timeFormat } from './format.js';

// The outcomes the API reports, how the page names them and explains them.
export const OUTCOMES = {
  answered: { label: 'Answered', hint: 'Forwarded and picked up' },
  missed: { label: 'Missed', hint: 'Forwarded, nobody picked up, no message left' },
  voicemail: { label: 'Voicemail', hint: 'The caller left a message' },
  abandoned: { label: 'Abandoned', hint: 'The caller hung up in the menu' },
  'in-progress': { label: 'In progress', hint: 'The call is still going on' },
  blocked: { label: 'Blocked', hint: 'On the blocklist: rejected before it was answered' },
};

const CHOICES = {
  forward: { label: 'Be connected', hint: 'Pressed 1: forward the call' },
  voicemail: { label: 'Leave a message', hint: 'Pressed 2: voicemail' },
};

// handlers: { toggle(row, sid), setHeard(sid, heard, button, note), played(sid, note) }
export function renderRow(call, handlers) {
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
  summary.addEventListener('click', () => handlers.toggle(row, call.sid));
  summary.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      handlers.toggle(row, call.sid);
    }
  });
  row.append(summary);

  if (vm) row.append(voicemailBlock(call, handlers));
  row.append(h('div', { class: 'call-detail', id: detailId, hidden: true }));
  return row;
}

// Who called, for a sentence: the name, else the number.
export function callerLabel(call) {
  const name = call.caller_name && call.caller_name.trim() ? call.caller_name : null;
  return name || call.from || 'Unknown caller';
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
    h('span', { class: ['caller-name', !name && 'is-unknown'], text: callerLabel(call) }),
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
  } else if (call.outcome === 'blocked') {
    cell.append(h('span', { class: 'choice-main is-muted', text: 'Rejected (blocklist)' }));
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

function voicemailBlock(call, handlers) {
  const vm = call.voicemail;
  const block = h('div', { class: 'voicemail' });
  const note = h('span', { class: 'vm-note', role: 'status' });
  // Audio the retention purge deleted has no player (its endpoint answers 410): say so, and for how long it was kept.
  const audio = vm.deleted ? deletedNotice(vm) : h('audio', { controls: true, preload: 'none', src: vm.url });
  if (!vm.deleted) {
    // The player moves to the row's new rendering when the call changes: find the current note through it.
    const currentNote = () => audio.closest('.voicemail')?.querySelector('.vm-note') || note;
    audio.addEventListener('error', () => {
      currentNote().textContent = 'The recording is not available yet.';
    });
    // Listening to the whole message counts as hearing it.
    audio.addEventListener('ended', () => handlers.played(call.sid, currentNote()));
  }

  const toggle = h('button', {
    type: 'button', class: ['button', 'button-small', 'vm-toggle'],
    text: vm.heard ? 'Mark as unheard' : 'Mark as heard',
  });
  toggle.addEventListener('click', () => handlers.setHeard(call.sid, !vm.heard, toggle, note));

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

// "Voicemail deleted (kept 30 days)": the purge deleted the audio; the call, its transcription and timeline stay.
function deletedNotice(vm) {
  const days = Number.isInteger(vm.kept_days) ? vm.kept_days : null;
  const kept = days === null ? '' : ` (kept ${days} ${days === 1 ? 'day' : 'days'})`;
  return h('span', {
    class: 'vm-deleted',
    title: vm.deleted_at ? `Deleted by the retention policy on ${vm.deleted_at}` : null,
    text: `Voicemail deleted${kept}`,
  });
}
