/* "Someone is coming": an ordinary-looking page over the chat, in the same tab. */
(function (F, C) {
  'use strict';
  var S = F.S, t = F.t, $ = C.$, show = C.show, el = C.el, clear = C.clear;

  function lines(text) {
    return String(text || '').split('\n').filter(function (x) { return x.trim() !== ''; });
  }

  function renderCover() {
    var title = $('cover-title-text');
    if (!title) { return; }
    title.textContent = t('coverTitle');
    $('cover-meta').textContent = t('coverMeta');
    $('cover-h-ingr').textContent = t('coverIngrH');
    $('cover-h-steps').textContent = t('coverStepsH');
    var ingr = $('cover-ingr');
    var steps = $('cover-steps');
    clear(ingr);
    clear(steps);
    lines(t('coverIngr')).forEach(function (x) { ingr.appendChild(el('li', null, x)); });
    lines(t('coverSteps')).forEach(function (x) { steps.appendChild(el('li', null, x)); });
  }

  function chatLive() {
    return S.ws && S.ws.readyState === WebSocket.OPEN && !F.endedForGood();
  }

  function setCovered(on) {
    if (S.covered === on) { return; }
    S.covered = on;
    var page = $('page');
    var topbar = $('topbar');
    var cover = $('cover');
    if (on) {
      S.coverReturnFocus = document.activeElement;
      show(cover, true);
      page.setAttribute('aria-hidden', 'true');
      page.inert = true;
      topbar.classList.add('is-covered');
      document.documentElement.classList.add('covered');
      document.title = t('coverTitle');
      $('cover-back').focus();
      if (chatLive()) { F.sendFrame({ type: 'away', on: true }); }
    } else {
      show(cover, false);
      page.removeAttribute('aria-hidden');
      page.inert = false;
      topbar.classList.remove('is-covered');
      document.documentElement.classList.remove('covered');
      document.title = 'Chatt';
      if (chatLive()) { F.sendFrame({ type: 'away', on: false }); }
      var back = S.coverReturnFocus;
      S.coverReturnFocus = null;
      if (back && typeof back.focus === 'function' && document.contains(back)) {
        back.focus();
      } else if (!$('chat-form').hidden) {
        $('chat-input').focus();
      }
    }
  }

  function onGlobalKeydown(event) {
    // Escape always means "hide" (or "back" on the cover); no modal dialog on this page
    // listens for it, so nothing else competes for the key.
    if (event.key === 'Escape' && !event.isComposing) {
      event.preventDefault();
      setCovered(!S.covered);
    }
  }

  F.renderCover = renderCover;
  F.chatLive = chatLive;
  F.setCovered = setCovered;
  F.onGlobalKeydown = onGlobalKeydown;
}(window.FristadVisit, window.FristadCommon));
