/* The conversation: bubbles, sending with client ids, the length counter. */
(function (F, C) {
  'use strict';
  var S = F.S, t = F.t, $ = C.$, el = C.el, codePoints = C.codePoints, newClientId = C.newClientId;

  function addMessage(from, text, at) {
    var list = $('messages');
    var kind = from === 'visitor' ? 'me' : (from === 'counsellor' ? 'them' : 'system');
    var item = el('li', 'msg msg-' + kind);
    var who = from === 'visitor' ? t('you') : (from === 'counsellor' ? (S.counsellor || t('counsellor')) : t('system'));
    var head = el('span', kind === 'system' ? 'visually-hidden' : 'msg-who', who + ': ');
    item.appendChild(head);
    var body = el('span', 'msg-text', String(text || ''));
    item.appendChild(body);
    if (kind !== 'system') {
      var meta = el('span', 'msg-meta', F.formatTime(at));
      item.appendChild(meta);
    }
    list.appendChild(item);
    scrollToEnd(item);
    if (kind !== 'me') { announce(who + ': ' + String(text || '')); }
    return item;
  }

  // The live region holds only the newest lines; older ones go (removals are not read out).
  function announce(text) {
    var box = $('announce');
    if (!box) { return; }
    box.appendChild(el('p', null, text));
    while (box.childNodes.length > 3) { box.removeChild(box.firstChild); }
  }

  function scrollToEnd(item) {
    if (item && typeof item.scrollIntoView === 'function') {
      try { item.scrollIntoView({ block: 'nearest' }); } catch (e) { item.scrollIntoView(false); }
    }
  }

  function markSent(item) {
    if (!item) { return; }
    item.classList.remove('is-pending');
    item.classList.remove('is-failed');
    var state = item.querySelector('.msg-state');
    if (state) { state.textContent = t('sent'); }
  }

  function markPendingFailed() {
    S.pending.forEach(function (p) { if (p.el) { p.el.classList.add('is-failed'); } });
  }

  function sendMessage() {
    var input = $('chat-input');
    var text = input.value;
    if (!text.trim()) { return; }
    if (codePoints(text) > F.MAX_MESSAGE_CHARS) {
      F.setAlert(t('tooLong'));
      return;
    }
    F.setAlert('');
    var id = newClientId();
    var item = addMessage('visitor', text, null);
    item.classList.add('is-pending');
    var state = el('span', 'msg-state', t('sending'));
    item.appendChild(state);
    S.pending.push({ id: id, text: text, el: item, seq: 0 });
    F.sendFrame({ type: 'msg', id: id, text: text });
    input.value = '';
    updateCounter();
    input.focus();
  }

  function updateCounter() {
    var input = $('chat-input');
    var counter = $('chat-count');
    if (!input || !counter) { return; }
    var n = codePoints(input.value);
    if (n >= F.COUNTER_FROM_CHARS) {
      var left = F.MAX_MESSAGE_CHARS - n;
      counter.textContent = left >= 0 ? t('charsLeft', { n: left }) : t('tooLong');
      counter.classList.toggle('is-over', left < 0);
      $('chat-send').disabled = left < 0;
    } else {
      counter.textContent = '';
      counter.classList.remove('is-over');
      $('chat-send').disabled = false;
    }
  }

  function onInput() {
    updateCounter();
    if (S.phase !== 'joined') { return; }
    var now = Date.now();
    if (now - S.lastTypingSentAt >= F.TYPING_SEND_EVERY_MS && $('chat-input').value.trim()) {
      S.lastTypingSentAt = now;
      F.sendFrame({ type: 'typing' });
    }
  }

  function onInputKeydown(event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage();
    }
  }

  F.addMessage = addMessage;
  F.announce = announce;
  F.scrollToEnd = scrollToEnd;
  F.markSent = markSent;
  F.markPendingFailed = markPendingFailed;
  F.sendMessage = sendMessage;
  F.updateCounter = updateCounter;
  F.onInput = onInput;
  F.onInputKeydown = onInputKeydown;
}(window.FristadVisit, window.FristadCommon));
