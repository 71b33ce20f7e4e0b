/* A message left with a code, its replies, forgetting the code: each its own short socket. */
(function (F, C) {
  'use strict';
  var S = F.S, t = F.t, $ = C.$, show = C.show, el = C.el, clear = C.clear, codePoints = C.codePoints;

  // Each request is its own short connection (no hello, no chat): it works while chat is
  // closed or full, and nothing links it to a chat on this page.
  function codeRequest(frame, okType) {
    return new Promise(function (resolve, reject) {
      var ws;
      var done = false;
      try {
        ws = new WebSocket(F.socketUrl());
      } catch (e) {
        reject(new Error('connect'));
        return;
      }
      var timer = window.setTimeout(function () { finish(null, 'timeout'); }, F.CODE_REQUEST_TIMEOUT_MS);
      function finish(result, code) {
        if (done) { return; }
        done = true;
        window.clearTimeout(timer);
        try { ws.close(1000); } catch (e) { /* already closed */ }
        if (code) {
          var err = new Error(code);
          err.code = code;
          reject(err);
        } else {
          resolve(result);
        }
      }
      ws.onopen = function () { ws.send(JSON.stringify(frame)); };
      ws.onmessage = function (event) {
        var f;
        try { f = JSON.parse(event.data); } catch (e) { return; }
        if (!f || typeof f.type !== 'string') { return; }
        if (f.type === okType) { finish(f, null); } else if (f.type === 'error') { finish(null, String(f.code || 'error')); }
      };
      ws.onerror = function () { /* onclose follows */ };
      ws.onclose = function () { finish(null, 'closed'); };
    });
  }

  function fieldError(id, text) {
    var node = $(id);
    node.textContent = text || '';
    show(node, !!text);
  }

  function codeErrorText(err) {
    return err && err.code === 'unknown_return_code' ? t('codeNotFound') : t('requestFailed');
  }

  function onLeaveSubmit(event) {
    event.preventDefault();
    var text = $('leave-text').value;
    var code = $('leave-code').value.trim();
    if (!text.trim()) { fieldError('leave-error', t('leaveEmpty')); $('leave-text').focus(); return; }
    if (codePoints(text) > F.MAX_MESSAGE_CHARS) { fieldError('leave-error', t('tooLong')); return; }
    fieldError('leave-error', '');
    var frame = { type: 'leave_message', text: text };
    if (code) { frame.code = code; }
    $('leave-send').disabled = true;
    codeRequest(frame, 'message_left').then(function (f) {
      $('leave-text').value = '';
      $('leave-code').value = '';
      $('leave-code-shown').textContent = String(f.code || '');
      show($('leave-form'), false);
      show($('leave-result'), true);
      $('leave-result').focus();
    }).catch(function (err) {
      fieldError('leave-error', codeErrorText(err));
    }).then(function () { $('leave-send').disabled = false; });
  }

  function onRepliesSubmit(event) {
    event.preventDefault();
    var code = $('replies-code').value.trim();
    if (!code) { fieldError('replies-error', t('needCode')); $('replies-code').focus(); return; }
    fieldError('replies-error', '');
    $('replies-send').disabled = true;
    var list = $('replies-list');
    codeRequest({ type: 'read_replies', code: code }, 'replies').then(function (f) {
      clear(list);
      var items = Array.isArray(f.items) ? f.items : [];
      var answered = false;
      items.forEach(function (m) {
        var mine = m.from === 'visitor';
        answered = answered || !mine;
        var li = el('li', 'msg ' + (mine ? 'msg-me' : 'msg-them'));
        li.appendChild(el('span', 'msg-who', (mine ? t('you') : t('counsellor')) + ': '));
        li.appendChild(el('span', 'msg-text', String(m.text || '')));
        li.appendChild(el('span', 'msg-meta', F.formatWhen(m.at) || ''));
        list.appendChild(li);
      });
      show(list, items.length > 0);
      show($('replies-empty'), !answered);
    }).catch(function (err) {
      clear(list);
      show(list, false);
      show($('replies-empty'), false);
      fieldError('replies-error', codeErrorText(err));
    }).then(function () { $('replies-send').disabled = false; });
  }

  function onForgetSubmit(event) {
    event.preventDefault();
    var code = $('forget-code').value.trim();
    show($('forget-result'), false);
    if (!code) {
      $('forget-result').textContent = t('needCode');
      show($('forget-result'), true);
      $('forget-code').focus();
      return;
    }
    S.forgetCode = code;
    show($('forget-confirm'), true);
    $('forget-no').focus();
  }

  function onForgetNo() {
    S.forgetCode = '';
    show($('forget-confirm'), false);
    $('forget-send').focus();
  }

  function onForgetYes() {
    var code = S.forgetCode;
    S.forgetCode = '';
    show($('forget-confirm'), false);
    if (!code) { return; }
    var result = $('forget-result');
    codeRequest({ type: 'forget_code', code: code }, 'code_forgotten').then(function (f) {
      $('forget-code').value = '';
      result.textContent = f.forgotten ? t('forgetDone') : t('forgetNone');
    }).catch(function () {
      result.textContent = t('requestFailed');
    }).then(function () {
      show(result, true);
      result.focus();
    });
  }

  F.codeRequest = codeRequest;
  F.fieldError = fieldError;
  F.codeErrorText = codeErrorText;
  F.onLeaveSubmit = onLeaveSubmit;
  F.onRepliesSubmit = onRepliesSubmit;
  F.onForgetSubmit = onForgetSubmit;
  F.onForgetNo = onForgetNo;
  F.onForgetYes = onForgetYes;
}(window.FristadVisit, window.FristadCommon));
