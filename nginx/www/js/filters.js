// The list's filters: the outcome (computed by the server, the same definition as each call's "outcome" field) and
// "voicemail only". They become the query of /api/calls and of the CSV export (/api/calls.csv, the same filters
// without paging). To add a filter: a control in index.html, a field in current(), its parameter in query().
import { byId } from './dom.js';

export const OUTCOME_FILTERS = ['all', 'answered', 'missed', 'voicemail', 'abandoned', 'blocked'];

const ui = { outcome: byId('outcome-filter'), voicemailOnly: byId('voicemail-only'), csv: byId('export-csv') };

// What the controls show now (a browser may restore them on reload).
export function current() {
  const checked = ui.outcome.querySelector('input[name="outcome"]:checked');
  const outcome = checked && OUTCOME_FILTERS.includes(checked.value) ? checked.value : 'all';
  return { outcome, voicemailOnly: ui.voicemailOnly.checked };
}

// The filters as API parameters (no paging).
export function query(filter) {
  const params = new URLSearchParams();
  if (filter.outcome !== 'all') params.set('outcome', filter.outcome);
  if (filter.voicemailOnly) params.set('has_voicemail', 'true');
  return params;
}

// The name the list carries in data-filter: "all", "voicemail", "all+voicemail", …
export function label(filter) {
  return filter.outcome + (filter.voicemailOnly ? '+voicemail' : '');
}

export function isFiltered(filter) {
  return filter.outcome !== 'all' || filter.voicemailOnly;
}

// Whether a call the server sent (e.g. after marking it heard) still belongs in the filtered list. The server did
// the filtering; this only drops a row whose call has changed since.
export function matches(filter, call) {
  return (filter.outcome === 'all' || call.outcome === filter.outcome) && (!filter.voicemailOnly || call.voicemail != null);
}

export function csvUrl(filter) {
  const params = query(filter).toString();
  return params ? `/api/calls.csv?${params}` : '/api/calls.csv';
}

// Calls fn(filter) whenever a control changes; keeps the export link on the current filter.
export function watch(fn) {
  const changed = () => {
    const filter = current();
    ui.csv.href = csvUrl(filter);
    fn(filter);
  };
  ui.outcome.addEventListener('change', changed);
  ui.voicemailOnly.addEventListener('change', changed);
  ui.csv.href = csvUrl(current());
}
