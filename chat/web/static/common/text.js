/*
 * Text helpers shared by the visitor's page and the console (see dom.js for how it is used).
 */

// Limits count code points, as the server does (chat/wire/parse.py), not UTF-16 units.
export function codePoints(text) { return Array.from(text).length; }

export function formatTime(ts, locale) {
  var date = ts ? new Date(ts) : new Date();
  if (isNaN(date.getTime())) { date = new Date(); }
  try {
    return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(date);
  } catch (e) {
    return '';
  }
}

// A client id for a message, unique enough to make resends idempotent (protocol.md).
export function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') {
    return window.crypto.randomUUID();
  }
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) {
    return ('0' + b.toString(16)).slice(-2);
  }).join('');
}
