// Tells screen readers about calls that arrived since the last refresh, in one polite sentence per refresh ("New
// call from Ada Lovelace: answered." or "3 new calls: 2 voicemail, 1 missed."), never row by row. The region is a
// visually hidden role="status" in index.html; the list (calls.js) hands over what each poll added.
import { byId } from './dom.js';
import { OUTCOMES, callerLabel } from './rows.js';

const region = byId('announcer');
let pending = null;

export function newCallsMessage(calls) {
  if (calls.length === 0) return '';
  const outcomeOf = (call) => (OUTCOMES[call.outcome]?.label || 'unknown').toLowerCase();
  if (calls.length === 1) return `New call from ${callerLabel(calls[0])}: ${outcomeOf(calls[0])}.`;
  const byOutcome = new Map();
  for (const call of calls) byOutcome.set(outcomeOf(call), (byOutcome.get(outcomeOf(call)) || 0) + 1);
  const parts = [...byOutcome].sort((a, b) => b[1] - a[1]).map(([outcome, n]) => `${n} ${outcome}`);
  return `${calls.length} new calls: ${parts.join(', ')}.`;
}

export function announceNewCalls(calls) {
  const message = newCallsMessage(calls);
  if (!message) return;
  // Emptied first, so the same sentence twice in a row is read twice.
  region.textContent = '';
  clearTimeout(pending);
  pending = setTimeout(() => {
    region.textContent = message;
  }, 50);
}
