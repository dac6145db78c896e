// The feed's health as the user sees it: the banner under the top bar and the "Live · updated …" line. Each source
// of data ('calls', 'summary', 'heard', …) reports its failures and successes here; the calls decide the banner.
// A 401 never shows here: the page goes to the login instead (feed.js).
import { byId } from './dom.js';
import { secondsFormat } from './format.js';

const ui = {
  banner: byId('banner'), text: byId('banner-text'), action: byId('banner-action'),
  live: byId('live-status'), updated: byId('updated-at'),
};

const errors = new Map(); // source → ApiError
let lastSuccess = null;   // when the calls last loaded
let retry = () => {};

export function onRetry(fn) {
  retry = fn;
}

export function hasLoadedOnce() {
  return lastSuccess !== null;
}

export function reportError(source, error) {
  if (error.status === 401) return;
  errors.set(source, error);
  render();
}

export function reportSuccess(source) {
  errors.delete(source);
  if (source === 'calls') lastSuccess = new Date();
  render();
}

// A message of its own (e.g. a failed logout), with no retry button.
export function showNotice(message) {
  ui.banner.hidden = false;
  ui.banner.dataset.kind = 'error';
  ui.text.textContent = message;
  ui.action.hidden = true;
}

function render() {
  const callsError = errors.get('calls');
  ui.action.hidden = true;
  if (callsError) {
    ui.banner.hidden = false;
    ui.banner.dataset.kind = 'error';
    ui.text.textContent = `Could not load calls \u2014 retrying (${callsError.message}).`;
    ui.action.textContent = 'Retry now';
    ui.action.hidden = false;
    ui.action.onclick = () => retry();
  } else {
    ui.banner.hidden = true;
    delete ui.banner.dataset.kind;
  }

  if (callsError) {
    ui.live.dataset.state = 'error';
    ui.updated.textContent = lastSuccess
      ? `Offline \u2014 last updated ${secondsFormat.format(lastSuccess)}`
      : 'Not connected';
  } else if (lastSuccess) {
    ui.live.dataset.state = 'live';
    ui.updated.textContent = `Live \u00b7 updated ${secondsFormat.format(lastSuccess)}`;
  }
}
