// The same-origin JSON API (/api/*). The browser sends the session cookie (sb_session, HttpOnly) by itself; writes
// carry the CSRF guard the server checks (a JSON Content-Type for bodies and X-Requested-With). A page that wants a
// 401 to mean "sign in again" registers that with onUnauthorized(); the login page does not (a 401 there is a wrong
// password).

export const WRITE_HEADERS = Object.freeze({ 'X-Requested-With': 'switchboard' });

export class ApiError extends Error {
  constructor(status, message, body = null, retryAfterS = null) {
    super(message);
    this.status = status;
    this.body = body;
    this.retryAfterS = retryAfterS; // from a 429: the body's retry_after_s, else the Retry-After header
  }
}

let unauthorized = null;

// fn runs (once per 401) before the error is thrown.
export function onUnauthorized(fn) {
  unauthorized = fn;
}

// fetch() of a JSON API path: resolves to the parsed body (null for 204), rejects with an ApiError.
export async function api(path, options = {}) {
  const { json, ...init } = options;
  const headers = { Accept: 'application/json', ...(init.headers || {}) };
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  if (init.method && init.method !== 'GET' && init.method !== 'HEAD') Object.assign(headers, WRITE_HEADERS);
  let response;
  try {
    response = await fetch(path, { credentials: 'same-origin', cache: 'no-store', ...init, headers });
  } catch (error) {
    throw new ApiError(0, 'the server could not be reached');
  }
  let body = null;
  if ((response.headers.get('Content-Type') || '').includes('json')) {
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
  }
  if (!response.ok) {
    const message = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    const error = new ApiError(response.status, message, body, retryAfter(response, body));
    if (response.status === 401 && unauthorized) unauthorized(error);
    throw error;
  }
  if (response.status === 204) return null;
  if (body === null || typeof body !== 'object') throw new ApiError(response.status, 'the server sent no JSON');
  return body;
}

function retryAfter(response, body) {
  const fromBody = body && Number(body.retry_after_s);
  if (Number.isFinite(fromBody) && fromBody >= 0) return Math.ceil(fromBody);
  const header = Number(response.headers.get('Retry-After'));
  return Number.isFinite(header) && header >= 0 ? Math.ceil(header) : null;
}

export function callUrl(sid) {
  return `/api/calls/${encodeURIComponent(sid)}`;
}
