/* The one chat socket: open, send, reconnect and resume, give up. */
(function (F, C) {
  'use strict';
  // protocol.md, close codes: 4000 "replaced", the chat was taken over by a newer connection.
  var CLOSE_REPLACED = 4000;
  var S = F.S, t = F.t, $ = C.$, show = C.show;

  function socketUrl() {
    return (location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + '/ws/visit';
  }

  function startChat(hello) {
    closeSocket();
    S.hello = hello;
    S.token = null;
    S.chatId = null;
    S.seen = {};
    S.contiguousSeq = 0;
    S.pending = [];
    S.counsellor = '';
    S.queue = null;
    S.dropStartedAt = 0;
    S.reconnectAttempt = 0;
    F.resetChatView();
    F.showView('chat');
    F.setPhase('connecting');
    $('chat-status').focus();
    openSocket();
  }

  function openSocket() {
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      onSocketClosed(null);
      return;
    }
    S.ws = ws;
    ws.onopen = function () {
      if (S.ws !== ws) { return; }
      var frame = {};
      Object.keys(S.hello).forEach(function (k) { frame[k] = S.hello[k]; });
      if (S.token) {
        frame.resume = { token: S.token, last_seq: S.contiguousSeq };
        delete frame.return_code;
      }
      sendFrame(frame);
    };
    ws.onmessage = function (event) {
      if (S.ws !== ws) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame.type === 'string') { F.handleFrame(frame); }
    };
    ws.onclose = function (event) {
      if (S.ws !== ws) { return; }
      S.ws = null;
      if (event && event.code === CLOSE_REPLACED) {
        onReplaced();
        return;
      }
      onSocketClosed(ws);
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function sendFrame(frame) {
    var ws = S.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) { return false; }
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  }

  function closeSocket() {
    window.clearTimeout(S.reconnectTimer);
    var ws = S.ws;
    S.ws = null;
    if (ws) {
      try { ws.close(1000); } catch (e) { /* already closed */ }
    }
  }

  function endedForGood() {
    return S.phase === 'ended' || S.phase === 'exited' || S.phase === 'unavailable' ||
      S.phase === 'failed' || S.phase === 'replaced' || S.phase === 'start';
  }

  // A newer connection of this visitor (another tab, or this page after a resume elsewhere)
  // took the chat over: say so plainly and stay quiet, for reconnecting would take it back.
  function onReplaced() {
    closeSocket();
    S.phase = 'replaced';
    F.setPhase('replaced');
    show($('typing'), false);
    show($('end-confirm'), false);
    F.setAlert(t('replaced'), 'replaced');
  }

  function onSocketClosed() {
    if (endedForGood()) { return; }
    var now = Date.now();
    if (!S.dropStartedAt) { S.dropStartedAt = now; S.reconnectAttempt = 0; }
    if (now - S.dropStartedAt > F.RECONNECT_GIVE_UP_MS) {
      failChat(S.token ? t('resumeFailed') : t('connectFailed'));
      return;
    }
    if (S.phase !== 'connecting') { F.setPhase('reconnecting'); }
    if (S.reconnectAttempt >= 3) { F.setAlert(t('stillTrying'), 'stillTrying'); }
    var delay = F.RECONNECT_DELAYS_MS[Math.min(S.reconnectAttempt, F.RECONNECT_DELAYS_MS.length - 1)];
    S.reconnectAttempt += 1;
    window.clearTimeout(S.reconnectTimer);
    S.reconnectTimer = window.setTimeout(openSocket, delay);
  }

  function failChat(text) {
    closeSocket();
    S.phase = 'failed';
    F.setPhase('failed');
    show($('chat-form'), false);
    show($('chat-actions'), false);
    F.markPendingFailed();
    F.setAlert(text);
    show($('ended'), false);
    var restart = $('restart-btn');
    // Offer a fresh start right below the message.
    var box = $('ended');
    show(box, true);
    show($('rc-section'), false);
    $('ended-by').textContent = '';
    restart.focus();
  }

  F.onReplaced = onReplaced;
  F.socketUrl = socketUrl;
  F.startChat = startChat;
  F.openSocket = openSocket;
  F.sendFrame = sendFrame;
  F.closeSocket = closeSocket;
  F.endedForGood = endedForGood;
  F.onSocketClosed = onSocketClosed;
  F.failChat = failChat;
}(window.FristadVisit, window.FristadCommon));
