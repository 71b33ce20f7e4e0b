/*
 * JSON over HTTP, shared by the visitor's page and the console (see dom.js for how it is used).
 * The visitor's page sends no credentials ('omit'); staff pages send their session cookie
 * ('same-origin'): the caller says which, so the two copies cannot drift apart again.
 */

export function getJSON(path, credentials) {
  return window.fetch(path, {
    method: 'GET', cache: 'no-store', credentials: credentials || 'omit', redirect: 'error',
    headers: { 'Accept': 'application/json' }
  }).then(function (resp) {
    if (!resp.ok) { throw new Error('http ' + resp.status); }
    return resp.json();
  });
}
