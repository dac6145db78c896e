// The login page (login.html): POST /api/session with the user name and password as JSON; on success the server
// sets the session cookie (HttpOnly, so this script never sees it) and the browser goes to `next` when that is a
// path of this site (paths.js), else to the feed. A refusal shows the server's own words: a wrong name or password
// (401, the same answer whether or not the user exists) or too many attempts (429, with when to try again).
import { api } from './api.js';
import { byId } from './dom.js';
import { safeNext } from './paths.js';

const ui = {
  form: byId('login-form'), user: byId('login-user'), password: byId('login-password'),
  submit: byId('login-submit'), error: byId('login-error'),
};
const SUBMIT_LABEL = ui.submit.textContent;
const next = safeNext(new URLSearchParams(window.location.search).get('next'));

let countdown = null;

// "Try again in 45 seconds." / "… in 3 minutes."
export function retryText(seconds) {
  if (seconds === null || seconds === undefined) return '';
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 120) return `Try again in ${s} second${s === 1 ? '' : 's'}.`;
  return `Try again in ${Math.ceil(s / 60)} minutes.`;
}

// The server's words as a sentence, so "Try again …" can follow.
function sentence(text) {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

// Keeps the button off until the server will listen again, counting down on the button (not in the alert, which a
// screen reader would otherwise read every second).
function holdUntil(seconds) {
  clearInterval(countdown);
  const until = Date.now() + seconds * 1000;
  const step = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(countdown);
      ui.submit.disabled = false;
      ui.submit.textContent = SUBMIT_LABEL;
      return;
    }
    ui.submit.disabled = true;
    ui.submit.textContent = `Wait ${left} s`;
  };
  step();
  countdown = setInterval(step, 1000);
}

async function signIn(event) {
  event.preventDefault(); // the form never submits itself (and the CSP's form-action 'none' would refuse it)
  const user = ui.user.value.trim();
  const password = ui.password.value;
  if (!user || !password) {
    showError(!user ? 'Enter your user name.' : 'Enter your password.');
    (!user ? ui.user : ui.password).focus();
    return;
  }
  ui.submit.disabled = true;
  ui.form.setAttribute('aria-busy', 'true');
  ui.error.hidden = true;
  try {
    await api('/api/session', { method: 'POST', json: { user, password } });
    window.location.replace(next);
    return;
  } catch (error) {
    ui.password.value = '';
    if (error.status === 429) {
      // The server's words, with when to try again unless they already say so.
      const when = /try again/i.test(error.message) ? '' : retryText(error.retryAfterS);
      showError([sentence(error.message), when].filter(Boolean).join(' '));
      if (error.retryAfterS) holdUntil(error.retryAfterS);
      else ui.submit.disabled = false;
    } else {
      showError(error.status === 401 ? error.message : `Could not sign in (${error.message}).`);
      ui.submit.disabled = false;
    }
    ui.form.dataset.status = String(error.status);
    ui.password.focus();
  } finally {
    ui.form.removeAttribute('aria-busy');
  }
}

ui.form.addEventListener('submit', signIn);

// Already signed in (an open tab, a bookmark of /login): straight on.
api('/api/session').then(() => window.location.replace(next), () => {
  ui.form.dataset.ready = 'true';
});
