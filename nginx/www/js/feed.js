// The activity feed page (index.html): wires the modules together and refreshes the summary and the newest calls
// every POLL_MS. Module map (arrows point down):
//   feed.js → calls.js (the list) → rows.js, timeline.js, announcer.js, filters.js
//           → summary.js → chart.js
//           → session.js (signed-in user, logout)
//           → routing.js (admins only) → routing-form.js → routing-lists.js; routing-history.js; routing-doc.js
//   all of them → status.js (banner), api.js (fetch, 401), dom.js (h/svg), format.js, paths.js
// Any 401 from the API means the session is gone: the page goes to the login, which comes back here afterwards.
import { onUnauthorized } from './api.js';
import * as calls from './calls.js';
import * as filters from './filters.js';
import { loginUrl } from './paths.js';
import * as routing from './routing.js';
import { showSignedInUser, wireLogout } from './session.js';
import { hasLoadedOnce, onRetry } from './status.js';
import { refreshSummary, showToday } from './summary.js';

const POLL_MS = 10000;       // new calls and the summary are refreshed this often
const FIRST_RETRY_MS = 3000; // retry sooner until the list has loaded once

let timer = null;
let leaving = false;

onUnauthorized(() => {
  if (leaving) return;
  leaving = true;
  clearTimeout(timer);
  window.location.replace(loginUrl());
});

async function tick() {
  clearTimeout(timer);
  timer = null;
  const work = [refreshSummary()];
  if (!calls.list.loading) work.push(calls.list.loaded ? calls.poll() : calls.load(true));
  await Promise.allSettled(work);
  if (leaving) return;
  const delay = !calls.list.loaded && !hasLoadedOnce() ? FIRST_RETRY_MS : POLL_MS;
  if (!timer) timer = setTimeout(tick, delay);
}

onRetry(tick);
calls.onVoicemailChange(refreshSummary);
filters.watch((filter) => calls.setFilter(filter));
document.getElementById('load-more').addEventListener('click', () => {
  if (!calls.list.loading && calls.list.cursor) calls.load(false);
});
wireLogout();

showToday();
// A 401 goes to the login; anything else leaves the name out (and the Routing panel, which is for admins only).
showSignedInUser().then((session) => {
  if (session.role === 'admin') routing.start();
}).catch(() => {});
tick();
