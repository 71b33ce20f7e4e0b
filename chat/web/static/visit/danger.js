/* "I am in danger right now" (protocol.md, Console 1.1, Safety). On the start page it starts
   the chat at once, marked urgent (`hello.urgent`); while waiting it tells the server
   (`{"type":"urgent"}`) and the chat goes first in the queue. Calm words, one press, and
   nothing kept: the choice lives in this page's memory only, like everything else here. */
(function (F, C) {
  'use strict';
  var S = F.S, $ = C.$, show = C.show;

  function render() {
    var waiting = S.view === 'chat' && (S.phase === 'queued' || S.phase === 'notice');
    show($('danger-wait'), waiting);
    show($('danger-btn'), waiting && !S.urgent);
    show($('danger-wait-hint'), waiting && !S.urgent);
    show($('danger-sent'), waiting && !!S.urgent);
  }

  function startInDanger() {
    var hello = F.readStartForm();
    if (!hello) {
      // No age chosen: nobody in danger is held up by the form.
      var unsaid = $('age-unsaid');
      if (unsaid) { unsaid.checked = true; }
      hello = F.readStartForm();
    }
    if (!hello) { return; }
    show($('age-error'), false);
    hello.urgent = true;
    F.startChat(hello);
  }

  function sayDanger() {
    if (S.urgent || !F.sendFrame({ type: 'urgent' })) { return; }
    S.urgent = true;
    render();
    $('danger-sent').focus();
  }

  // Every chat starts as its hello says; every phase change shows or hides the option.
  var startChat = F.startChat;
  F.startChat = function (hello) {
    S.urgent = !!(hello && hello.urgent);
    startChat(hello);
    render();
  };
  var setPhase = F.setPhase;
  F.setPhase = function (phase) {
    setPhase(phase);
    render();
  };

  function init() {
    var start = $('danger-start');
    if (start) { start.addEventListener('click', startInDanger); }
    var btn = $('danger-btn');
    if (btn) { btn.addEventListener('click', sayDanger); }
    show($('danger-start-box'), true);  // it needs this script, so it only shows with it
  }

  F.renderDanger = render;
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}(window.FristadVisit, window.FristadCommon));
