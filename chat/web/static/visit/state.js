/*
 * The visitor page's state, in memory only, and what the service tells the page.
 *
 * Privacy: every bit of state lives in FristadVisit.S and nowhere else. No cookies, no web
 * storage, no IndexedDB, no service worker, no history entries. The WebSocket protocol is
 * shared/spec/protocol.md ("Visitor endpoint").
 *
 * The page's scripts are small classic scripts, carried inline in this order by the service
 * (chat/web/visit_page.py): this file first, then one per concern (lang, start, views, socket,
 * frames, messages, cards, codes, waiting, survey, ending, cover), main.js last. Each adds
 * its functions to window.FristadVisit (F); the shared helpers are window.FristadCommon (C).
 * The server's limits, the languages and the strings of the page's language come from the
 * page's data block (`#page-data`): no script hard-codes a server limit or a language.
 */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('page-data').textContent);
  var F = window.FristadVisit = {};
  var limits = data.limits;

  F.config = data;
  F.languages = data.languages;          // [{code, name, dir, locale}], as the service offers
  F.tables = {};                         // lang -> strings, complete (English fills gaps)
  F.tables[data.lang] = data.strings;

  // The server's limits (chat/wire/parse.py, chat/domain/config.py), as data.
  F.MAX_MESSAGE_CHARS = limits.message_chars;
  F.MAX_SURVEY_TEXT_CHARS = limits.survey_text_chars;
  F.RECONNECT_GIVE_UP_MS = limits.resume_grace_s * 1000;
  // The page's own pace: when to show the counter, how often to say "typing", retries.
  F.COUNTER_FROM_CHARS = Math.max(0, limits.message_chars - 500);
  F.TYPING_SEND_EVERY_MS = 3000;
  F.TYPING_SHOW_MS = 4000;
  F.RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 5000];
  F.STATUS_REFRESH_MS = 60000;
  F.CODE_REQUEST_TIMEOUT_MS = 15000;

  F.S = {
    lang: data.lang,
    wantedLang: data.lang, // the language last asked for, while its strings are fetched
    hello: null,          // the fields of the last hello, reused on resume
    ws: null,
    phase: 'start',       // start | connecting | notice | queued | joined | reconnecting | ended | unavailable | failed | replaced | exited
    token: null,
    chatId: null,
    seen: {},             // seq -> true (from msg frames and acks)
    contiguousSeq: 0,     // every seq up to here has been seen: what we ask to replay after
    pending: [],          // [{id, text, el, seq}] sent, not yet acknowledged, oldest first
    counsellor: '',
    dropStartedAt: 0,
    reconnectAttempt: 0,
    reconnectTimer: 0,
    lastTypingSentAt: 0,
    typingTimer: 0,
    covered: false,
    coverReturnFocus: null,
    topics: [],
    topicsLang: '',
    status: null,
    surveyLoaded: false,
    surveySent: false,
    forgetCode: ''
  };

  // The string for `key` in the page's language, with {name} placeholders filled in.
  F.t = function t(key, vars) {
    var table = F.tables[F.S.lang] || F.tables[data.lang];
    var text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : '';
    if (vars) {
      text = text.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return text;
  };
}());
