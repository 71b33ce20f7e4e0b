/* Wiring: every listener, then the first render. Runs last. */
(function (F, C) {
  'use strict';
  var S = F.S, $ = C.$, show = C.show;

  function on(id, type, handler) {
    var node = $(id);
    if (node) { node.addEventListener(type, handler); }
  }

  function init() {
    on('start-form', 'submit', F.onStartSubmit);
    var radios = document.querySelectorAll('input[name="channel"]');
    for (var i = 0; i < radios.length; i++) { radios[i].addEventListener('change', F.onChannelChange); }
    var ages = document.querySelectorAll('input[name="age"]');
    for (i = 0; i < ages.length; i++) {
      ages[i].addEventListener('change', function () { show($('age-error'), false); });
    }
    on('langs', 'click', function (event) {
      var btn = event.target.closest ? event.target.closest('.lang-btn') : null;
      if (btn) { F.switchLang(btn.getAttribute('data-lang')); }
    });
    on('notice-ack', 'click', F.onNoticeAck);
    on('chat-form', 'submit', function (event) { event.preventDefault(); F.sendMessage(); });
    on('chat-input', 'input', F.onInput);
    on('chat-input', 'keydown', F.onInputKeydown);
    on('end-btn', 'click', function () {
      show($('end-confirm'), true);
      $('end-no').focus();
    });
    on('end-no', 'click', function () {
      show($('end-confirm'), false);
      $('end-btn').focus();
    });
    on('end-yes', 'click', F.onEndYes);
    on('rc-btn', 'click', F.requestReturnCode);
    on('rc-live-btn', 'click', F.requestReturnCode);
    on('leave-form', 'submit', F.onLeaveSubmit);
    on('replies-form', 'submit', F.onRepliesSubmit);
    on('forget-form', 'submit', F.onForgetSubmit);
    on('forget-yes', 'click', F.onForgetYes);
    on('forget-no', 'click', F.onForgetNo);
    on('kommun-name', 'input', F.onKommunInput);
    F.loadMunicipalities();
    on('survey-form', 'submit', F.onSurveySubmit);
    on('restart-btn', 'click', F.onRestart);
    on('unavailable-back', 'click', F.onRestart);
    on('kb-list', 'click', F.onKbClick);
    on('kb-back', 'click', F.closeArticle);
    on('away-btn', 'click', function () { F.setCovered(true); });
    on('cover-back', 'click', function () { F.setCovered(false); });
    document.addEventListener('keydown', F.onGlobalKeydown);
    window.addEventListener('quickexit', F.onQuickExit);

    show($('away-btn'), true);  // it needs this script, so it only shows with it
    F.onChannelChange();
    F.applyLang(F.config.lang);
    F.loadStatus();
    window.setInterval(function () { if (S.phase === 'start') { F.loadStatus(); } }, F.STATUS_REFRESH_MS);
    document.documentElement.classList.add('js');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}(window.FristadVisit, window.FristadCommon));
