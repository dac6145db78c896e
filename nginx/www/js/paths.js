// The pages' own paths, and where the login page may send the browser afterwards. `next` comes from the URL, so
// anyone can write it: only a path on this origin is followed (never "//evil.example", "https://…", "/\evil", nor
// back to the login or into the API); anything else goes to the feed.

export const FEED_PATH = '/';
export const LOGIN_PATH = '/login';

export function safeNext(raw, origin = window.location.origin) {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) {
    return FEED_PATH;
  }
  let url;
  try {
    url = new URL(raw, origin); // also drops tabs and newlines, so "/\t/evil" is caught by the origin check
  } catch (error) {
    return FEED_PATH;
  }
  if (url.origin !== origin) return FEED_PATH;
  if (url.pathname === LOGIN_PATH || url.pathname.startsWith(`${LOGIN_PATH}.`) || url.pathname.startsWith('/api/')) {
    return FEED_PATH;
  }
  return url.pathname + url.search + url.hash;
}

// The login page's URL for coming back to `here` (a location) afterwards.
export function loginUrl(here = window.location) {
  const back = here.pathname + here.search + here.hash;
  return back === FEED_PATH ? LOGIN_PATH : `${LOGIN_PATH}?${new URLSearchParams({ next: back })}`;
}
