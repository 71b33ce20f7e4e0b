/*
 * Quick exit: leave the page at once, without a trace we can avoid.
 *
 * Standalone on purpose: the chat page and the knowledge bank both carry it (inline, as their
 * first script), and it must work even when every other script on the page failed.
 *
 * Triggers: a click on any element with `data-quick-exit`, or pressing Shift three times
 * within a second (as GOV.UK's "Exit this page" does).
 *
 * What it does, in this order:
 *   1. dispatches a `quickexit` event on window (the chat tells the server and closes its socket);
 *   2. empties the page and its title, so nothing shows while the next page loads;
 *   3. replaces the current history entry with the exit URL (Back does not return here), at once.
 *
 * It no longer asks /exit for Clear-Site-Data: the pages store nothing for it to clear, and in
 * Chromium the header itself writes a client-hints entry naming the site into the profile's
 * Preferences (tests/browser/test_no_trace_on_disk.py; docs/security.md).
 */
(function () {
  'use strict';

  var FALLBACK_URL = 'https://www.smhi.se/';
  var SHIFT_PRESSES = 3;
  var SHIFT_WINDOW_MS = 1000;
  var done = false;
  var shiftTimes = [];

  function exitUrl() {
    var body = document.body;
    var url = body ? body.getAttribute('data-exit-url') : null;
    if (!url || !/^https?:\/\//i.test(url)) {
      url = FALLBACK_URL;
    }
    return url;
  }

  function quickExit(event) {
    if (event && typeof event.preventDefault === 'function') {
      event.preventDefault();
    }
    if (done) {
      return;
    }
    done = true;
    var url = exitUrl();
    try {
      window.dispatchEvent(new CustomEvent('quickexit'));
    } catch (e) { /* the page's own listeners must never stop us */ }
    try {
      document.title = '';
      if (document.body) {
        document.body.innerHTML = '';
      }
    } catch (e) { /* keep going */ }
    window.location.replace(url);
  }

  document.addEventListener('click', function (event) {
    var target = event.target;
    while (target && target !== document) {
      if (target.nodeType === 1 && target.hasAttribute('data-quick-exit')) {
        quickExit(event);
        return;
      }
      target = target.parentNode;
    }
  }, true);

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Shift') {
      // Typing capitals (Shift+A, Shift+B, ...) must never add up to an exit.
      shiftTimes = [];
      return;
    }
    if (event.repeat) {
      return;
    }
    var now = Date.now();
    shiftTimes.push(now);
    while (shiftTimes.length && now - shiftTimes[0] > SHIFT_WINDOW_MS) {
      shiftTimes.shift();
    }
    if (shiftTimes.length >= SHIFT_PRESSES) {
      shiftTimes = [];
      quickExit(event);
    }
  }, true);

  // Other scripts on the page may call it directly.
  window.fristadQuickExit = quickExit;
}());
