/* Frames from the server (protocol.md, "Visitor endpoint"), one handler each. */
(function (F, C) {
  'use strict';
  var S = F.S, t = F.t, $ = C.$, show = C.show, el = C.el, clear = C.clear;

  function handleFrame(f) {
    switch (f.type) {
      case 'welcome': onWelcome(f); break;
      case 'notice': onNotice(f); break;
      case 'unavailable': onUnavailable(f); break;
      case 'queued': onQueued(f); break;
      case 'joined': onJoined(f); break;
      case 'msg': onMsg(f); break;
      case 'ack': onAck(f); break;
      case 'typing': onTyping(); break;
      case 'referral': F.onReferral(f); break;
      case 'ended': onEnded(f); break;
      case 'return_code': onReturnCode(f); break;
      case 'survey_received': F.onSurveyReceived(); break;
      case 'error': onError(f); break;
      default: break;
    }
  }

  function onWelcome(f) {
    var resumed = !!S.dropStartedAt && S.chatId && f.chat === S.chatId;
    S.token = f.token || null;
    S.chatId = f.chat || S.chatId;
    S.dropStartedAt = 0;
    S.reconnectAttempt = 0;
    if (S.alertKey === 'stillTrying') { F.setAlert(''); }
    if (S.phase === 'connecting' || S.phase === 'reconnecting') {
      // The state frame (queued/joined/notice) follows; keep the composer until then.
      if (S.phase === 'reconnecting') { F.setPhase(S.counsellor ? 'joined' : 'queued'); }
    }
    if (resumed) {
      F.setAlert('');
      S.pending.forEach(function (p) {
        F.sendFrame({ type: 'msg', id: p.id, text: p.text });
      });
    }
  }

  function onNotice(f) {
    var box = $('notice-text');
    clear(box);
    String(f.text || '').split(/\n+/).forEach(function (para) {
      if (para.trim()) { box.appendChild(el('p', null, para)); }
    });
    show($('notice'), true);
    F.setPhase('notice');
    $('notice-ack').focus();
  }

  function onNoticeAck() {
    F.sendFrame({ type: 'notice_ack', id: 'reporting-duty' });
    show($('notice'), false);
    F.setPhase('connecting');
  }

  function onUnavailable(f) {
    S.phase = 'unavailable';
    F.closeSocket();
    var text = f.reason === 'full' ? t('unavailableFull') : t('unavailableClosed');
    if (f.reason === 'closed' && f.opens) {
      var when = F.formatWhen(f.opens);
      if (when) { text += ' ' + t('statusOpens', { when: when }); }
    }
    $('unavailable-text').textContent = text;
    F.setPhase('unavailable');
    F.showView('unavailable');
    $('leave-box').open = true;
    $('view-unavailable').focus();
  }

  function onQueued(f) {
    S.queue = { position: f.position, eta_s: f.eta_s };
    if (S.phase !== 'queued') {
      F.setPhase('queued');
      F.loadArticles();
    } else {
      F.renderChatStatus();
    }
  }

  function onJoined(f) {
    S.counsellor = typeof f.counsellor === 'string' && f.counsellor ? f.counsellor : S.counsellor;
    var wasJoined = S.phase === 'joined';
    F.setPhase('joined');
    show($('kb'), false);
    if (!wasJoined) {
      var input = $('chat-input');
      if (document.activeElement === document.body || !document.activeElement) { input.focus(); }
    }
  }

  function noteSeq(seq) {
    if (typeof seq !== 'number') { return; }
    S.seen[seq] = true;
    while (S.seen[S.contiguousSeq + 1]) { S.contiguousSeq += 1; }
  }

  function onMsg(f) {
    if (typeof f.seq === 'number' && S.seen[f.seq]) { return; }
    if (f.from === 'visitor') {
      // A replay of our own message: match it to a bubble still waiting for its ack.
      for (var i = 0; i < S.pending.length; i++) {
        if (S.pending[i].text === f.text && !S.pending[i].seq) {
          S.pending[i].seq = f.seq;
          F.markSent(S.pending[i].el);
          noteSeq(f.seq);
          return;
        }
      }
    }
    noteSeq(f.seq);
    if (f.from === 'counsellor') { show($('typing'), false); }
    F.addMessage(f.from, f.text, f.at);
  }

  function onAck(f) {
    noteSeq(f.seq);
    for (var i = 0; i < S.pending.length; i++) {
      if (S.pending[i].id === f.id) {
        F.markSent(S.pending[i].el);
        S.pending.splice(i, 1);
        return;
      }
    }
  }

  function onTyping() {
    if (S.phase !== 'joined') { return; }
    var node = $('typing');
    node.textContent = t('typing', { name: S.counsellor || t('counsellor') });
    show(node, true);
    window.clearTimeout(S.typingTimer);
    S.typingTimer = window.setTimeout(function () { show(node, false); }, F.TYPING_SHOW_MS);
  }

  function onEnded(f) {
    S.phase = 'ended';
    F.setPhase('ended');
    show($('typing'), false);
    show($('end-confirm'), false);
    F.markPendingFailed();
    var by = f.by === 'visitor' ? t('endedVisitor') : (f.by === 'counsellor' ? t('endedCounsellor') : t('endedSystem'));
    $('ended-by').textContent = by;
    F.addMessage('system', by, null);
    show($('rc-section'), true);
    show($('ended'), true);
    F.loadSurvey();
    $('ended').focus();
  }

  function rcError(on) {
    var node = $('rc-error');
    node.textContent = on ? t('rcFailed') : '';
    show(node, on);
  }

  function onReturnCode(f) {
    S.rcRequested = false;
    rcError(false);
    $('rc-code').textContent = String(f.code || '');
    var used = $('rc-used');
    if (typeof f.sessions_used === 'number' && typeof f.cap === 'number') {
      used.textContent = t('rcUsed', { used: f.sessions_used, cap: f.cap });
    } else {
      used.textContent = '';
    }
    show($('rc-result'), true);
    $('rc-btn').disabled = true;
    $('rc-live-code').textContent = String(f.code || '');
    show($('rc-live-result'), true);
    show($('rc-live-btn'), false);
  }

  function requestReturnCode() {
    if (F.sendFrame({ type: 'return_code' })) {
      S.rcRequested = true;
      $('rc-btn').disabled = true;
      $('rc-live-btn').disabled = true;
    } else {
      rcError(true);
    }
  }

  function onError(f) {
    var known = {
      unknown_return_code: 'unknownCode',
      rate_limited: 'rateLimited',
      resume_failed: null,
      notice_required: null
    };
    if (f.code === 'resume_failed') {
      F.failChat(t('resumeFailed'));
      return;
    }
    if (f.code === 'notice_required') {
      show($('notice'), true);
      F.setPhase('notice');
      return;
    }
    if (S.rcRequested && f.code !== 'rate_limited') {
      // The answer to our return-code request: say so next to the button.
      S.rcRequested = false;
      $('rc-btn').disabled = false;
      $('rc-live-btn').disabled = false;
      rcError(true);
      if (S.phase !== 'ended') { F.setAlert(t('rcFailed')); }
      return;
    }
    if (S.surveySent && (f.code === 'no_survey' || f.code === 'not_available' ||
        (f.code === 'bad_field' && f.field === 'answers'))) {
      F.surveyFailed();
      return;
    }
    if (S.phase === 'ended' && f.code === 'not_available') {
      return;  // an optional extra (the survey) is not offered: nothing to worry anyone with
    }
    if (f.code === 'bad_field' && f.field === 'text') {
      F.setAlert(t('badText'));
      return;
    }
    var key = known[f.code];
    if (key) {
      F.setAlert(t(key));
      return;
    }
    F.setAlert(typeof f.message === 'string' && f.message ? f.message : t('genericError'));
  }

  F.handleFrame = handleFrame;
  F.onWelcome = onWelcome;
  F.onNotice = onNotice;
  F.onNoticeAck = onNoticeAck;
  F.onUnavailable = onUnavailable;
  F.onQueued = onQueued;
  F.onJoined = onJoined;
  F.noteSeq = noteSeq;
  F.onMsg = onMsg;
  F.onAck = onAck;
  F.onTyping = onTyping;
  F.onEnded = onEnded;
  F.rcError = rcError;
  F.onReturnCode = onReturnCode;
  F.requestReturnCode = requestReturnCode;
  F.onError = onError;
}(window.FristadVisit, window.FristadCommon));
