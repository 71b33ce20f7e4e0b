/* Ending, restarting, and the chat's part of the quick exit. */
(function (F, C) {
  'use strict';
  var S = F.S, $ = C.$, show = C.show, clear = C.clear;

  function onEndYes() {
    show($('end-confirm'), false);
    if (!F.sendFrame({ type: 'end' })) {
      F.onEnded({ by: 'visitor' });
    }
  }

  function onRestart() {
    F.closeSocket();
    S.phase = 'start';
    S.token = null;
    S.surveyLoaded = false;
    clear($('survey-questions'));
    F.resetChatView();
    F.setPhase('start');
    F.showView('start');
    F.loadStatus();
    F.loadTopics();
    F.loadProfessions();
    $('start-heading').setAttribute('tabindex', '-1');
    $('start-heading').focus();
  }

  function onQuickExit() {
    S.phase = 'exited';
    if (S.ws && S.ws.readyState === WebSocket.OPEN) {
      F.sendFrame({ type: 'exit' });
    }
    F.closeSocket();
  }

  F.onEndYes = onEndYes;
  F.onRestart = onRestart;
  F.onQuickExit = onQuickExit;
}(window.FristadVisit, window.FristadCommon));
