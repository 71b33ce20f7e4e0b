/* Which view shows, the chat's status line and the phase the page is in. */
(function (F, C) {
  'use strict';
  var S = F.S, t = F.t, $ = C.$, show = C.show, clear = C.clear;

  function showView(name) {
    S.view = name;
    show($('view-start'), name === 'start');
    show($('view-chat'), name === 'chat');
    show($('view-unavailable'), name === 'unavailable');
    show($('code-tools'), name !== 'chat');
    F.renderOpenHelp();
  }

  function resetChatView() {
    clear($('messages'));
    clear($('announce'));
    show($('notice'), false);
    show($('kb'), false);
    show($('kb-article'), false);
    show($('typing'), false);
    show($('chat-form'), false);
    show($('chat-actions'), false);
    show($('end-confirm'), false);
    show($('ended'), false);
    show($('rc-result'), false);
    show($('rc-error'), false);
    show($('rc-live-result'), false);
    $('rc-live-btn').disabled = false;
    show($('rc-live-btn'), true);
    S.rcRequested = false;
    S.surveySent = false;
    show($('survey-error'), false);
    show($('survey-form'), false);
    show($('survey-thanks'), false);
    show($('chat-alert'), false);
    $('rc-btn').disabled = false;
    $('chat-input').value = '';
    F.updateCounter();
  }

  function setAlert(text, key) {
    S.alertKey = text ? (key || 'other') : '';
    var node = $('chat-alert');
    if (!text) { show(node, false); node.textContent = ''; return; }
    node.textContent = text;
    show(node, true);
  }

  function renderChatStatus() {
    var node = $('chat-status');
    if (!node) { return; }
    var text = '';
    switch (S.phase) {
      case 'connecting': text = t('connecting'); break;
      case 'notice': text = t('noticeWait'); break;
      case 'queued': text = queueText(); break;
      case 'joined': text = t('joined', { name: S.counsellor || t('counsellor') }); break;
      case 'reconnecting': text = t('reconnecting'); break;
      default: text = '';
    }
    if (node.textContent !== text) { node.textContent = text; }
  }

  // "About N minutes": whole minutes, never less than one (the estimate is rough anyway).
  function etaText(seconds) {
    var minutes = Math.max(1, Math.round(seconds / 60));
    return minutes === 1 ? t('etaOne') : t('eta', { min: minutes });
  }

  function queueText() {
    var q = S.queue || {};
    var parts = [];
    if (q.position === 1) {
      parts.push(t('queuedNext'));
    } else if (typeof q.position === 'number') {
      parts.push(t('queued', { pos: q.position }));
    }
    if (typeof q.eta_s === 'number' && q.eta_s >= 0) { parts.push(etaText(q.eta_s)); }
    parts.push(t('queuedWrite'));
    return parts.join(' ');
  }

  function setPhase(phase) {
    S.phase = phase;
    var talking = phase === 'queued' || phase === 'joined' || phase === 'reconnecting';
    show($('chat-form'), talking);
    show($('chat-actions'), talking || phase === 'notice');
    if (phase !== 'queued') { show($('kb'), false); }
    renderChatStatus();
  }

  F.showView = showView;
  F.resetChatView = resetChatView;
  F.setAlert = setAlert;
  F.renderChatStatus = renderChatStatus;
  F.etaText = etaText;
  F.queueText = queueText;
  F.setPhase = setPhase;
}(window.FristadVisit, window.FristadCommon));
