// The routing document (GET/PUT /api/routing) as plain data, for the Routing panel: paths like
// "holidays[0].message" (the server's 400 names its field that way), comparing documents, tidying a typed phone
// number, and what one version changed from the one before (the history). Pure functions, no DOM, no fetch.
// A new setting in the document: a line in changes() so the history names it (anything unnamed is "other settings").

// The value at a dotted path ("forward.targets[1]"); undefined when any step is missing.
export function getPath(doc, path) {
  let value = doc;
  for (const step of steps(path)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = value[step];
  }
  return value;
}

// Sets the value at a dotted path of object keys, creating the objects on the way.
export function setPath(doc, path, value) {
  const keys = steps(path);
  let node = doc;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  node[keys.at(-1)] = value;
}

function steps(path) {
  return String(path).split(/\.|\[(\d+)\]/).filter((step) => step !== undefined && step !== '')
    .map((step) => (/^\d+$/.test(step) ? Number(step) : step));
}

// A field and the ones holding it, most precise first: "holidays[0].date" → holidays[0].date, holidays[0], holidays.
// The panel shows a field error next to the first of them it has a control for.
export function fieldKeys(path) {
  if (typeof path !== 'string' || path === '') return [];
  const keys = [];
  let key = path;
  while (key) {
    keys.push(key);
    key = key.replace(/(\[\d+\]|\.?[^.[\]]+)$/, '');
  }
  return keys;
}

// The server's message without the field it starts with ("forward.targets[1]: not E.164" → "not E.164"): the text
// shown beside the field, which is already labelled.
export function fieldMessage(message, field) {
  const text = String(message ?? '');
  return field && text.startsWith(`${field}: `) ? text.slice(field.length + 2) : text;
}

// A number as typed, tidied when it is a formatted E.164 number ("+1 (555) 123-0001" → "+15551230001"); anything
// else is only trimmed, so the server judges (and names) what the user wrote.
export function normalizeNumber(raw) {
  const trimmed = String(raw ?? '').trim();
  const compact = trimmed.replace(/[\s().-]/g, '');
  return /^\+\d+$/.test(compact) ? compact : trimmed;
}

// JSON with object keys sorted, so two documents compare equal whatever order their keys came in.
export function canonical(value) {
  return JSON.stringify(value, (key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

export function sameDoc(a, b) {
  return canonical(a) === canonical(b);
}

const onOff = (value) => (value ? 'on' : 'off');

// What `after` changed from `before`, as short phrases ("away on", "targets +1…, +1…", "strategy sequential").
export function changes(before, after) {
  const out = [];
  const was = (path) => getPath(before, path);
  const is = (path) => getPath(after, path);
  const changed = (path) => !sameDoc(was(path) ?? null, is(path) ?? null);
  const said = (path, phrase) => {
    if (changed(path)) out.push(phrase(is(path)));
  };

  said('away.enabled', (v) => `away ${onOff(v)}`);
  said('away.message', () => 'away message');
  said('forward.targets', (v) => (Array.isArray(v) && v.length ? `targets ${v.join(', ')}` : 'no targets'));
  said('forward.strategy', (v) => `strategy ${v}`);
  said('forward.ring_seconds', (v) => `ring ${v} s`);
  said('forward.screening', (v) => `screening ${onOff(v)}`);
  said('office_hours.schedule', (v) => (v ? `office hours ${v}` : 'always open'));
  said('office_hours.time_zone', (v) => `time zone ${v}`);
  said('office_hours.closed_message', () => 'closed message');
  holidayChanges(was('holidays'), is('holidays'), out);
  const blocked = listChanges(was('blocklist'), is('blocklist'));
  for (const number of blocked.added) out.push(`${number} blocked`);
  for (const number of blocked.removed) out.push(`${number} unblocked`);
  said('text_back.enabled', (v) => `text-back ${onOff(v)}`);
  said('text_back.message', () => 'text-back message');
  said('menu.prompt', () => 'menu prompt');
  said('menu.attempts', (v) => `menu attempts ${v}`);
  said('menu.default', (v) => `menu default ${v}`);
  said('voicemail.prompt', () => 'voicemail prompt');
  said('voicemail.max_seconds', (v) => `voicemail up to ${v} s`);
  said('voicemail.transcribe', (v) => `transcription ${onOff(v)}`);
  if (out.length === 0 && !sameDoc(before, after)) out.push('other settings');
  return out;
}

// changes() as one sentence: "Away on, away message"; "No change" when there is none.
export function describeChanges(before, after) {
  const text = changes(before, after).join(', ');
  return text ? text[0].toUpperCase() + text.slice(1) : 'No change';
}

function listChanges(before, after) {
  const old = new Set(Array.isArray(before) ? before : []);
  const now = new Set(Array.isArray(after) ? after : []);
  return { added: [...now].filter((x) => !old.has(x)), removed: [...old].filter((x) => !now.has(x)) };
}

function holidayChanges(before, after, out) {
  const byDate = (list) => new Map((Array.isArray(list) ? list : []).map((day) => [day?.date, day?.message]));
  const old = byDate(before);
  const now = byDate(after);
  for (const [date, message] of now) {
    if (!old.has(date)) out.push(`holiday ${date} added`);
    else if (old.get(date) !== message) out.push(`holiday ${date} message`);
  }
  for (const date of old.keys()) if (!now.has(date)) out.push(`holiday ${date} removed`);
}
