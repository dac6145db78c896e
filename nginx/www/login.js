// The sign-in page: posts the user name and password as JSON to /api/session (with the CSRF header every write
// carries), shows the server's own message on a refusal (wrong password, or the wait after too many), and on
// success goes to the feed. The session cookie is HttpOnly: this script never sees it.
const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const response = await fetch('/api/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'switchboard', Accept: 'application/json' },
      body: JSON.stringify({ user: form.user.value, password: form.password.value }),
    });
    if (response.ok) {
      window.location.assign('/');
      return;
    }
    const body = await response.json().catch(() => null);
    error.textContent = body && typeof body.error === 'string' ? body.error : `Sign-in failed (HTTP ${response.status})`;
  } catch (failure) {
    error.textContent = 'The server could not be reached.';
  } finally {
    button.disabled = false;
  }
  error.hidden = false;
});
