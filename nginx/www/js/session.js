// The signed-in user in the top bar (GET /api/session) and the logout button (DELETE /api/session, which revokes the
// session on the server and clears the cookie), then the login page. Used by the feed page.
import { api } from './api.js';
import { byId } from './dom.js';
import { LOGIN_PATH } from './paths.js';
import { showNotice } from './status.js';

const ui = { account: byId('account'), user: byId('signed-in-user'), role: byId('signed-in-role'), logout: byId('logout') };

export async function showSignedInUser() {
  const session = await api('/api/session');
  ui.user.textContent = session.user;
  ui.role.textContent = session.role || '';
  ui.role.hidden = !session.role;
  ui.account.dataset.role = session.role || '';
  ui.account.hidden = false;
  return session;
}

export function wireLogout() {
  ui.logout.addEventListener('click', async () => {
    ui.logout.disabled = true;
    try {
      await api('/api/session', { method: 'DELETE' });
    } catch (error) {
      if (error.status !== 401) { // 401: already signed out
        showNotice(`Could not log out (${error.message}). Try again.`);
        ui.logout.disabled = false;
        return;
      }
    }
    window.location.replace(LOGIN_PATH);
  });
}
