/* Knowledge-bank articles to read while waiting in the queue. */
(function (F, C) {
  'use strict';
  var S = F.S, $ = C.$, show = C.show, el = C.el, clear = C.clear;

  function loadArticles() {
    var topic = S.hello && S.hello.topic;
    if (!topic) { return; }
    var lang = S.lang;
    C.getJSON('/api/kb/articles?topic=' + encodeURIComponent(topic) + '&lang=' + encodeURIComponent(lang))
      .then(function (data) {
        if (S.phase !== 'queued' || !data || !Array.isArray(data.results) || !data.results.length) { return; }
        var list = $('kb-list');
        clear(list);
        data.results.slice(0, 6).forEach(function (a) {
          if (!a || typeof a.slug !== 'string') { return; }
          if (a.audience === 'staff') { return; }
          var li = el('li');
          var btn = el('button', 'kb-link', String(a.title || a.slug));
          btn.type = 'button';
          btn.setAttribute('data-slug', a.slug);
          btn.setAttribute('data-lang', String(a.lang || lang));
          li.appendChild(btn);
          if (a.snippet) { li.appendChild(el('p', 'kb-snippet', String(a.snippet))); }
          list.appendChild(li);
        });
        show(list, true);
        show($('kb-article'), false);
        show($('kb'), list.children.length > 0);
      })
      .catch(function () { /* the knowledge bank is a bonus; waiting works without it */ });
  }

  function openArticle(slug, lang) {
    C.getJSON('/api/kb/article/' + encodeURIComponent(lang) + '/' + encodeURIComponent(slug))
      .then(function (data) {
        if (!data) { return; }
        var article = $('kb-article');
        $('kb-article-title').textContent = String(data.title || '');
        var body = $('kb-article-body');
        // Sanitised on the server (kb); links inside must not navigate this page away.
        body.innerHTML = typeof data.html === 'string' ? data.html : '';
        var links = body.querySelectorAll('a[href]');
        for (var i = 0; i < links.length; i++) {
          links[i].target = '_blank';
          links[i].rel = 'noreferrer noopener';
        }
        article.lang = String(data.lang || lang);
        article.dir = data.dir === 'rtl' ? 'rtl' : 'ltr';
        show($('kb-list'), false);
        show(article, true);
        article.focus();
      })
      .catch(function () { /* keep the list */ });
  }

  function onKbClick(event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains('kb-link')) {
      openArticle(target.getAttribute('data-slug'), target.getAttribute('data-lang'));
    }
  }

  function closeArticle() {
    show($('kb-article'), false);
    show($('kb-list'), true);
    var first = document.querySelector('#kb-list .kb-link');
    if (first) { first.focus(); }
  }

  F.loadArticles = loadArticles;
  F.openArticle = openArticle;
  F.onKbClick = onKbClick;
  F.closeArticle = closeArticle;
}(window.FristadVisit, window.FristadCommon));
