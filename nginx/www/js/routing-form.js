// The Routing panel's form (index.html, #routing-form) ↔ the routing document: render(doc) fills the controls,
// collect(base) reads them back into a copy of `base` (so settings the panel has no control for are sent back as
// they were), with each field's control for the server's 400 (showFieldError). No fetch here: routing.js saves.
// A new setting: its control in index.html and a line in SCALARS (or a RowList for a list).
import { byId, h } from './dom.js';
import { fieldKeys, getPath, setPath } from './routing-doc.js';
import { HOLIDAY_COLUMNS, RowList, numberColumns } from './routing-lists.js';

// path, control id, kind: text (as typed), word (trimmed), number, boolean (a checkbox), choice (a fieldset of radios)
const SCALARS = [
  ['away.enabled', 'routing-away', 'boolean'],
  ['away.message', 'routing-away-message', 'text'],
  ['forward.strategy', 'routing-strategy', 'choice'],
  ['forward.ring_seconds', 'routing-ring-seconds', 'number'],
  ['forward.screening', 'routing-screening', 'boolean'],
  ['office_hours.schedule', 'routing-schedule', 'word'],
  ['office_hours.time_zone', 'routing-time-zone', 'word'],
  ['office_hours.closed_message', 'routing-closed-message', 'text'],
  ['text_back.enabled', 'routing-text-back', 'boolean'],
  ['text_back.message', 'routing-text-back-message', 'text'],
  ['menu.prompt', 'routing-menu-prompt', 'text'],
  ['menu.attempts', 'routing-menu-attempts', 'number'],
  ['menu.default', 'routing-menu-default', 'choice'],
  ['voicemail.prompt', 'routing-voicemail-prompt', 'text'],
  ['voicemail.max_seconds', 'routing-voicemail-max-seconds', 'number'],
  ['voicemail.transcribe', 'routing-voicemail-transcribe', 'boolean'],
];

// Sections and lists, for an error about one of them as a whole ("forward.targets: at least one").
const GROUPS = [
  ['away', 'routing-away-box'], ['forward', 'routing-forward'], ['forward.targets', 'routing-targets-group'],
  ['office_hours', 'routing-office-hours'], ['holidays', 'routing-holidays-group'],
  ['blocklist', 'routing-blocklist-group'], ['text_back', 'routing-text-back-box'], ['menu', 'routing-menu'],
  ['voicemail', 'routing-voicemail'],
];

const ui = { form: byId('routing-form'), awayBox: byId('routing-away-box'), timeZones: byId('routing-time-zones') };

let lists = null;
let lastErrorId = 0;

// onChange(): a row was added, removed or moved (typing is seen by the form's own input events);
// say(text): a polite announcement.
export function wire({ onChange, say }) {
  lists = {
    targets: new RowList({ list: byId('routing-targets'), add: byId('routing-add-target'), noun: 'forward target',
      columns: numberColumns('+15551230001'), reorder: true, onChange, say }),
    holidays: new RowList({ list: byId('routing-holidays'), add: byId('routing-add-holiday'), noun: 'holiday',
      columns: HOLIDAY_COLUMNS, onChange, say }),
    blocklist: new RowList({ list: byId('routing-blocklist'), add: byId('routing-add-blocked'), noun: 'blocked number',
      columns: numberColumns('+15559990000'), onChange, say }),
  };
  if (typeof Intl.supportedValuesOf === 'function') {
    ui.timeZones.replaceChildren(...Intl.supportedValuesOf('timeZone').map((zone) => h('option', { value: zone })));
  }
  byId('routing-away').addEventListener('change', showAway);
}

export function render(doc) {
  for (const [path, id, kind] of SCALARS) write(byId(id), kind, getPath(doc, path));
  lists.targets.set(getPath(doc, 'forward.targets'));
  lists.holidays.set(getPath(doc, 'holidays'));
  lists.blocklist.set(getPath(doc, 'blocklist'));
  clearErrors();
  showAway();
}

// The away switch and its message alone (the switch saves at once, without the rest of the form).
export function renderAway(away) {
  write(byId('routing-away'), 'boolean', away?.enabled);
  write(byId('routing-away-message'), 'text', away?.message);
  showAway();
}

export function readAway() {
  return { enabled: byId('routing-away').checked, message: byId('routing-away-message').value };
}

// { doc, fields }: the document the form shows, and path → control (or section) for field errors.
export function collect(base) {
  const doc = structuredClone(base ?? {});
  const fields = new Map();
  for (const [path, id] of GROUPS) fields.set(path, byId(id));
  for (const [path, id, kind] of SCALARS) {
    const el = byId(id);
    setPath(doc, path, read(el, kind, getPath(base, path)));
    fields.set(path, el);
  }
  const targets = lists.targets.read();
  setPath(doc, 'forward.targets', targets.values);
  for (const { index, inputs } of targets.rows) fields.set(`forward.targets[${index}]`, inputs.value);
  const blocked = lists.blocklist.read();
  setPath(doc, 'blocklist', blocked.values);
  for (const { index, inputs } of blocked.rows) fields.set(`blocklist[${index}]`, inputs.value);
  const holidays = lists.holidays.read();
  setPath(doc, 'holidays', holidays.values);
  for (const { index, row, inputs } of holidays.rows) {
    fields.set(`holidays[${index}]`, row);
    for (const [key, input] of Object.entries(inputs)) fields.set(`holidays[${index}].${key}`, input);
  }
  return { doc, fields };
}

function write(el, kind, value) {
  if (kind === 'boolean') el.checked = Boolean(value);
  else if (kind === 'choice') {
    for (const radio of el.querySelectorAll('input[type="radio"]')) radio.checked = radio.value === value;
  } else el.value = value === null || value === undefined ? '' : String(value);
}

// `was` is kept when the control cannot say (a choice the page does not offer).
function read(el, kind, was) {
  if (kind === 'boolean') return el.checked;
  if (kind === 'choice') return el.querySelector('input[type="radio"]:checked')?.value ?? was;
  if (kind === 'number') return el.value.trim() === '' ? null : Number(el.value);
  if (kind === 'word') return el.value.trim();
  return el.value;
}

function showAway() {
  ui.awayBox.classList.toggle('is-on', byId('routing-away').checked);
}

// Shows `message` beside the control of `field` (or of the nearest section holding it) and marks it invalid; returns
// that control, or null when the form has nothing for the field.
export function showFieldError(fields, field, message) {
  const key = fieldKeys(field).find((k) => fields.has(k));
  if (!key) return null;
  const el = fields.get(key);
  // Its row or field box (never inside a <label>, whose text would become the control's name), else the section.
  const box = el.closest('.rt-row, .rt-field') || el;
  box.append(h('p', { class: 'field-error', id: `rt-error-${(lastErrorId += 1)}`, 'data-field': field,
    text: message }));
  const error = box.lastElementChild;
  el.setAttribute('aria-invalid', 'true');
  el.setAttribute('aria-describedby', [el.getAttribute('aria-describedby'), error.id].filter(Boolean).join(' '));
  return el;
}

export function clearErrors() {
  for (const error of ui.form.querySelectorAll('.field-error')) error.remove();
  for (const el of ui.form.querySelectorAll('[aria-invalid]')) clearInvalid(el);
}

// Editing a field takes its error away.
export function clearErrorOf(el) {
  if (!el.hasAttribute('aria-invalid')) return;
  for (const id of (el.getAttribute('aria-describedby') || '').split(' ')) {
    if (id.startsWith('rt-error-')) byId(id)?.remove();
  }
  clearInvalid(el);
}

function clearInvalid(el) {
  el.removeAttribute('aria-invalid');
  const kept = (el.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.startsWith('rt-error-'));
  if (kept.length) el.setAttribute('aria-describedby', kept.join(' '));
  else el.removeAttribute('aria-describedby');
}

// The control to put the focus on for a field error: the input itself, or a section's first input.
export function focusTarget(el) {
  return el.matches('input, textarea, select, button') ? el : el.querySelector('input, textarea, select, button');
}
