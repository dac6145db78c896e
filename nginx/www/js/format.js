// How the feed shows times, durations and places. Pure functions over the API's values (ISO 8601 times, seconds);
// the browser's locale and time zone decide the wording.

export const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
export const secondsFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
export const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric' });
export const longDayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
export const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
export const hourFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });

// 75 → "1:15", 3725 → "1:02:05"; nothing → "—".
export function minSec(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return '—';
  const total = Math.max(0, Math.round(Number(seconds)));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

export function parseTime(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

export function localMidnight(now = new Date()) {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

// An ISO 8601 time with the browser's UTC offset, e.g. 2026-11-26T00:00:00-06:00.
export function isoWithOffset(date) {
  const pad = (n) => String(Math.abs(Math.trunc(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

// A moment of today as a time, of another day with the day in front.
export function formatMoment(iso) {
  const date = parseTime(iso);
  if (!date) return String(iso);
  return sameDay(date, new Date()) ? secondsFormat.format(date) : `${dayFormat.format(date)}, ${secondsFormat.format(date)}`;
}

export function place(call) {
  return [call.from_city, call.from_state, call.from_country].filter((part) => part).join(', ');
}

export function humanize(value) {
  return String(value).replace(/[-_]/g, ' ');
}

// A count from the API, or "–" when it sent none.
export function count(value) {
  return Number.isFinite(Number(value)) ? String(Number(value)) : '–';
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
