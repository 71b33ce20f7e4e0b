/* The page in the visitor's language: the strings, the direction, dates and times. */
(function (F, C) {
  'use strict';
  var S = F.S, t = F.t;

  function languageOf(code) {
    for (var i = 0; i < F.languages.length; i++) {
      if (F.languages[i].code === code) { return F.languages[i]; }
    }
    return null;
  }

  function locale() {
    var language = languageOf(S.lang);
    return language ? language.locale : S.lang;
  }

  function formatWhen(ts) {
    var date = new Date(ts);
    if (isNaN(date.getTime())) { return ''; }
    try {
      return new Intl.DateTimeFormat(locale(), {
        weekday: 'long', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm'
      }).format(date);
    } catch (e) {
      return date.toLocaleString();
    }
  }

  function formatTime(ts) { return C.formatTime(ts, locale()); }

  // Switch language inside the page: no navigation, no history entry, the chat goes on.
  // Only the strings of the language asked for are fetched, once.
  function switchLang(lang) {
    if (!languageOf(lang)) { return; }
    S.wantedLang = lang;
    if (F.tables[lang]) { applyLang(lang); return; }
    C.getJSON('/api/strings?lang=' + encodeURIComponent(lang)).then(function (data) {
      if (!data || !data.strings || typeof data.strings !== 'object') { return; }
      F.tables[lang] = data.strings;
      if (S.wantedLang === lang) { applyLang(lang); }
    }).catch(function () { /* keep the language the page has */ });
  }

  function applyLang(lang) {
    if (!languageOf(lang) || !F.tables[lang]) { lang = F.config.lang; }
    S.lang = lang;
    S.wantedLang = lang;
    var html = document.documentElement;
    html.lang = lang;
    html.dir = languageOf(lang) ? languageOf(lang).dir : 'ltr';
    var nodes = document.querySelectorAll('[data-i18n]');
    var i;
    for (i = 0; i < nodes.length; i++) {
      var value = t(nodes[i].getAttribute('data-i18n'));
      if (typeof value === 'string') { nodes[i].textContent = value; }
    }
    nodes = document.querySelectorAll('[data-i18n-placeholder]');
    for (i = 0; i < nodes.length; i++) {
      nodes[i].setAttribute('placeholder', t(nodes[i].getAttribute('data-i18n-placeholder')));
    }
    nodes = document.querySelectorAll('[data-i18n-aria-label]');
    for (i = 0; i < nodes.length; i++) {
      nodes[i].setAttribute('aria-label', t(nodes[i].getAttribute('data-i18n-aria-label')));
    }
    var kbLink = document.getElementById('kb-link');
    if (kbLink) { kbLink.setAttribute('href', '/kb/?lang=' + lang); }
    nodes = document.querySelectorAll('.lang-btn');
    for (i = 0; i < nodes.length; i++) {
      nodes[i].setAttribute('aria-pressed', nodes[i].getAttribute('data-lang') === lang ? 'true' : 'false');
    }
    nodes = document.querySelectorAll('[data-notice-lang]');
    var anyShown = false;
    for (i = 0; i < nodes.length; i++) {
      var mine = nodes[i].getAttribute('data-notice-lang') === lang && nodes[i].textContent.trim() !== '';
      nodes[i].hidden = !mine;
      anyShown = anyShown || mine;
    }
    if (!anyShown) {
      for (i = 0; i < nodes.length; i++) {
        if (nodes[i].getAttribute('data-notice-lang') === F.config.default_lang) { nodes[i].hidden = false; }
      }
    }
    F.renderCover();
    F.renderOpenStatus();
    F.renderChatStatus();
    F.updateCounter();
    if (S.phase === 'start') {
      F.loadTopics();
      F.loadProfessions();
    }
  }

  F.languageOf = languageOf;
  F.switchLang = switchLang;
  F.applyLang = applyLang;
  F.formatWhen = formatWhen;
  F.formatTime = formatTime;
}(window.FristadVisit, window.FristadCommon));
