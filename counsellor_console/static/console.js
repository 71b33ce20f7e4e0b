/*
 * The counsellor console. Plain JS, no framework, no build step.
 * Speaks shared/spec/protocol.md ("Console endpoint"); the staff session cookie goes with
 * the WebSocket handshake by itself.
 *
 * An ES module (console.html loads it with type="module"): the helpers it shares with the
 * visitor's page come from chat/web/static/common/, served at /static/common/, one copy for both.
 */
import { $, el, clear, show } from '/static/common/dom.js';
import { codePoints, formatTime as formatTimeIn, newClientId } from '/static/common/text.js';
import { getJSON as getJSONWith } from '/static/common/http.js';
import { fillCanned } from './canned.js';
import { dueNote } from './directory_due.js';
import { emitFrame, setSender } from './bus.js';
import './supervision.js';
import './safety.js';
import {
  initColleagues, onStaff, onDebrief, onHeavyNoted, fillTransferChoices, colleagueName,
  matchTag, colleagueErrorText, transferRefusedText
} from './colleagues.js';
import { startAlerts } from './alerts.js';
import { startShortcuts } from './shortcuts.js';
import { t, tf, timeLocale } from './i18n.js';
import { limits, languageName } from './page_config.js';

(function () {
  'use strict';

  var RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 5000];
  var RELOGIN_HINT_AFTER_FAILURES = 6;
  var TYPING_SEND_EVERY_MS = 3000;
  var TYPING_SHOW_MS = 4000;
  var MAX_MESSAGE_CHARS = limits.message_chars;
  // The counter shows once a message nears the limit: in its last eighth.
  var COUNTER_FROM_CHARS = Math.floor(MAX_MESSAGE_CHARS * 7 / 8);
  var TOAST_MS = 6000;

  var CHANNELS = { youth: t('console.channel.youth', 'Unga'), professional: t('console.channel.professional', 'Yrkesverksamma') };
  var AGES = { under18: t('console.age.under18', 'Under 18'), '18plus': '18+', unsaid: t('console.age.unsaid', 'Ålder ej angiven') };
  var GENDERS = {
    girl: t('console.gender.girl', 'Tjej'), boy: t('console.gender.boy', 'Kille'),
    other: t('console.gender.other', 'Annat kön'), unsaid: t('console.gender.unsaid', 'Kön ej angivet')
  };
  var LEFT_HOW = {
    end: t('console.left.end', 'Besökaren avslutade chatten.'),
    exit: t('console.left.exit', 'Besökaren lämnade sidan snabbt (snabbutgång). Hen kan ha blivit störd.'),
    timeout: t('console.left.timeout', 'Besökarens anslutning bröts och kom inte tillbaka.')
  };
  // Sweden's 290 municipalities, code -> name, from GET /api/municipalities (loadMunicipalities);
  // a code not (yet) in it is shown as it is.
  var KOMMUNER = {};
  // The colleague's language (the page's lang: sv or en), for the reasons and professions.
  var STAFF_LANG = document.documentElement.lang === 'en' ? 'en' : 'sv';
  var MAX_SUMMARY_CHARS = limits.summary_chars;
  var ENDED_BY = {
    visitor: t('console.left.end', 'Besökaren avslutade chatten.'),
    counsellor: t('console.ended.counsellor', 'Chatten är avslutad.'),
    system: t('console.ended.system', 'Chatten avslutades av systemet.')
  };

  function sessionLabel(session) {
    return session.cap
      ? tf('console.session_of', 'Samtal {n} av {cap}', { n: session.number, cap: session.cap })
      : tf('console.session', 'Samtal {n}', { n: session.number });
  }

  // ---------------------------------------------------------------- state
  var S = {
    ws: null,
    attempt: 0,
    failures: 0,
    reconnectTimer: 0,
    queue: null,
    queueAt: 0,
    queueNodes: {},
    accepting: {},
    chats: {},        // id -> chat
    order: [],        // chat ids in tab order
    active: null,
    panelCounter: 0,
    topics: [],
    topicLabels: {},
    professionLabels: {},
    inbox: [],
    inboxRecord: null,
    riskGuide: null,
    lastTypingAt: {},
    toastTimer: 0
  };

  // ---------------------------------------------------------------- helpers
  function formatWait(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    if (m >= 60) {
      return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
    }
    return m + ':' + (s < 10 ? '0' : '') + s;
  }

  function formatTime(ts) { return formatTimeIn(ts, timeLocale); }

  function shortId(id) { return String(id || '').slice(-6); }

  function toast(text) {
    var node = $('toast');
    node.textContent = text;
    show(node, true);
    window.clearTimeout(S.toastTimer);
    S.toastTimer = window.setTimeout(function () { show(node, false); }, TOAST_MS);
  }

  // Every state-changing request carries the page's CSRF token (surface.md, Additions).
  function csrfHeaders(headers) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    headers['X-CSRF-Token'] = meta ? meta.getAttribute('content') : '';
    return headers;
  }

  // Staff routes need the session cookie.
  function getJSON(path) { return getJSONWith(path, 'same-origin'); }

  // ---------------------------------------------------------------- socket
  function socketUrl() {
    return (location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + '/ws/console';
  }

  function setConn(text, state) {
    var node = $('conn-status');
    node.textContent = text;
    node.className = 'c-conn' + (state ? ' is-' + state : '');
  }

  function connect() {
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    S.ws = ws;
    ws.onopen = function () {
      if (S.ws !== ws) { return; }
      S.attempt = 0;
      S.failures = 0;
      setConn(t('console.conn.ok', 'Ansluten'), 'ok');
      send({ type: 'inbox' });
    };
    ws.onmessage = function (event) {
      if (S.ws !== ws) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame.type === 'string') { handle(frame); }
    };
    ws.onclose = function (event) {
      if (S.ws !== ws) { return; }
      S.ws = null;
      // 4401: the session ended or the account changed (docs/protocol.md): reload, which
      // leads to the login page, or to the console of the new role.
      if (event && event.code === 4401) { window.location.assign('/console'); return; }
      scheduleReconnect();
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    S.failures += 1;
    var delay = RECONNECT_DELAYS_MS[Math.min(S.attempt, RECONNECT_DELAYS_MS.length - 1)];
    S.attempt += 1;
    if (S.failures >= RELOGIN_HINT_AFTER_FAILURES) {
      setConn(t('console.conn.lost_long', 'Frånkopplad. Försöker igen… Om det inte går: din inloggning kan ha gått ut – ladda om sidan.'), 'bad');
    } else {
      setConn(t('console.conn.lost', 'Frånkopplad. Försöker igen…'), 'bad');
    }
    window.clearTimeout(S.reconnectTimer);
    S.reconnectTimer = window.setTimeout(connect, delay);
  }

  function send(frame) {
    if (!S.ws || S.ws.readyState !== WebSocket.OPEN) {
      toast(t('console.conn.not_now', 'Inte ansluten just nu. Försök igen om en stund.'));
      return false;
    }
    try {
      S.ws.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- frames
  function handle(f) {
    switch (f.type) {
      case 'hello': onHello(f); break;
      case 'queue': onQueue(f); break;
      case 'assigned': onAssigned(f); break;
      case 'msg': onMsg(f); break;
      case 'ack': onAck(f); break;
      case 'typing': onTyping(f); break;
      case 'note': onNote(f); break;
      case 'visitor_left': onVisitorLeft(f); break;
      case 'visitor_away': onVisitorAway(f); break;
      case 'ended': onEnded(f); break;
      case 'released': onReleased(f); break;
      case 'summary_saved': onSummarySaved(f); break;
      case 'referred': onReferred(f); break;
      case 'inbox': onInbox(f); break;
      case 'inbox_changed': send({ type: 'inbox' }); break;
      case 'inbox_thread': onInboxThread(f); break;
      case 'inbox_replied': onInboxReplied(f); break;
      case 'error': onError(f); break;
      case 'risk': onRisk(f); break;
      case 'staff': onStaff(f); break;
      case 'debrief': onDebrief(f); break;
      case 'heavy_noted': onHeavyNoted(f); break;
      case 'transferred_out': onTransferredOut(f); break;
      default: break;
    }
    emitFrame(f);  // the feature modules (bus.js), after the panel exists
  }

  function onHello(f) {
    var me = f.me || {};
    if (me.name) { $('me-name').textContent = me.name; document.body.setAttribute('data-staff-name', me.name); }
    if (me.role && me.role !== document.body.dataset.staffRole) { $('me-role').textContent = me.role; }
  }

  // A refused hand-over (colleague at their limit or gone): the chat is still ours.
  function transferRefused(f) {
    var id = f.chat;
    if (!id && f.code === 'bad_field' && f.field === 'to') {
      id = S.order.filter(function (cid) { return S.chats[cid].transferTo; })[0];
    }
    var chat = id ? S.chats[id] : null;
    if (!chat || !chat.transferTo || (f.code !== 'at_limit' && f.code !== 'bad_field')) { return false; }
    var to = chat.transferTo;
    chat.transferTo = null;
    setChatOpen(chat, true);
    var text = transferRefusedText(f, to);
    addLine(chat, 'system', t('console.who.system', 'System'), text, null);
    toast(text);
    return true;
  }

  function onTransferredOut(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    toast(tf('console.transferred', 'Chatten är överlämnad till {name}.', { name: colleagueName(f.to) }));
    closeChat(f.chat);
  }

  function onError(f) {
    if (transferRefused(f)) { return; }
    var refusal = colleagueErrorText(f);
    if (refusal) {
      // at_limit names the chat; paused names none: every pending accept is refused.
      if (f.chat) { delete S.accepting[f.chat]; } else { S.accepting = {}; }
      renderQueue();
      toast(refusal);
      return;
    }
    if (f.code === 'already_taken') {
      delete S.accepting[f.chat];
      toast(t('console.taken', 'En kollega hann före och tog den chatten.'));
      removeQueueItem(f.chat);
      return;
    }
    var what = {
      rate_limited: t('console.error.rate_limited', 'För många meddelanden på kort tid. Vänta ett ögonblick.'),
      bad_field: tf('console.error.bad_field', 'Servern godtog inte fältet {field}.', { field: f.field || '' }),
      bad_frame: t('console.error.bad_frame', 'Servern förstod inte ett meddelande.'),
      unknown_type: t('console.error.unknown_type', 'Servern känner inte till den åtgärden.')
    }[f.code];
    toast(what || (f.message ? String(f.message) : tf('console.error.other', 'Fel: {code}', { code: String(f.code || '?') })));
  }

  // ---------------------------------------------------------------- queue
  function onQueue(f) {
    S.queue = f;
    S.queueAt = Date.now();
    renderQueue();
  }

  function removeQueueItem(chatId) {
    if (!S.queue || !Array.isArray(S.queue.items)) { return; }
    S.queue.items = S.queue.items.filter(function (it) { return it.chat !== chatId; });
    renderQueue();
  }

  function renderQueue() {
    var q = S.queue || { total: {}, items: [] };
    var total = q.total || {};
    var sum = 0;
    var parts = [];
    Object.keys(CHANNELS).forEach(function (ch) {
      var n = typeof total[ch] === 'number' ? total[ch] : 0;
      sum += n;
      parts.push(CHANNELS[ch] + ': ' + n);
    });
    $('queue-count').textContent = String(sum);
    $('queue-totals').textContent = parts.join(' · ');
    var list = $('queue-list');
    // The server's order is the queue's (a chat handed back goes first): never re-sorted here.
    var items = Array.isArray(q.items) ? q.items.slice() : [];
    var keep = {};
    // Keyed update: an Accept button is never re-created under the pointer or the focus.
    items.forEach(function (it, i) {
      if (!it || typeof it.chat !== 'string' || keep[it.chat]) { return; }
      keep[it.chat] = true;
      var entry = S.queueNodes[it.chat] || createQueueEntry(it.chat);
      S.queueNodes[it.chat] = entry;
      fillQueueEntry(entry, it);
      if (list.children[i] !== entry.li) {
        list.insertBefore(entry.li, list.children[i] || null);
      }
    });
    Object.keys(S.queueNodes).forEach(function (id) {
      if (!keep[id]) {
        S.queueNodes[id].li.remove();
        delete S.queueNodes[id];
      }
    });
    show($('queue-empty'), items.length === 0);
  }

  function createQueueEntry(chatId) {
    var li = el('li', 'q-item');
    li.setAttribute('data-chat', chatId);
    var body = el('div', 'q-body');
    var btn = el('button', 'btn btn-primary btn-small q-accept', t('console.accept', 'Ta emot'));
    btn.type = 'button';
    btn.setAttribute('data-chat', chatId);
    li.appendChild(body);
    li.appendChild(btn);
    return { li: li, body: body, btn: btn, wait: null, base: 0 };
  }

  function fillQueueEntry(entry, it) {
    var body = entry.body;
    clear(body);
    var top = el('div', 'q-top');
    top.appendChild(el('span', 'q-channel', CHANNELS[it.channel] || String(it.channel || '')));
    var wait = el('span', 'q-wait', formatWait(it.waited_s || 0));
    wait.title = t('console.waited', 'Väntat');
    entry.wait = wait;
    entry.base = it.waited_s || 0;
    top.appendChild(wait);
    body.appendChild(top);

    var facts = el('div', 'q-facts');
    facts.appendChild(el('span', 'tag tag-age' + (it.age === '18plus' ? '' : ' is-young'), AGES[it.age] || String(it.age || '')));
    facts.appendChild(el('span', 'tag', languageName(it.lang)));
    if (it.topic) { facts.appendChild(el('span', 'tag', S.topicLabels[it.topic] || String(it.topic))); }
    var match = matchTag(it);
    if (match) { facts.appendChild(match); }
    entry.li.classList.toggle('is-match', !!match);
    body.appendChild(facts);

    var meta = el('div', 'q-meta');
    var session = it.session || {};
    if (typeof session.number === 'number') {
      meta.appendChild(el('span', null, sessionLabel(session)));
    }
    if (session.over_cap) {
      meta.appendChild(el('span', 'tag tag-overcap', t('console.overcap', 'Över gränsen: dags att hänvisa vidare')));
    }
    if (it.preview) {
      meta.appendChild(el('span', 'q-preview', (it.preview === 1 ? t('console.preview.one', '1 meddelande väntar') : tf('console.preview.many', '{n} meddelanden väntar', { n: it.preview }))));
    }
    body.appendChild(meta);
    var busy = !!S.accepting[it.chat];
    entry.btn.disabled = busy;
    entry.btn.textContent = busy ? t('console.accepting', 'Tar emot…') : t('console.accept', 'Ta emot');
  }

  function tickQueue() {
    var elapsed = (Date.now() - S.queueAt) / 1000;
    Object.keys(S.queueNodes).forEach(function (id) {
      var entry = S.queueNodes[id];
      if (!entry.wait) { return; }
      var text = formatWait(entry.base + elapsed);
      if (entry.wait.textContent !== text) { entry.wait.textContent = text; }
    });
  }

  function onQueueClick(event) {
    var btn = event.target.closest ? event.target.closest('.q-accept') : null;
    if (!btn || btn.disabled) { return; }
    var id = btn.getAttribute('data-chat');
    if (send({ type: 'accept', chat: id })) {
      S.accepting[id] = true;
      btn.disabled = true;
      btn.textContent = t('console.accepting', 'Tar emot…');
    }
  }

  // ---------------------------------------------------------------- chats
  function chatFacts(chat) {
    var box = chat.panel.querySelector('.cp-facts');
    clear(box);
    var info = chat.info;
    fillCanned(chat.panel.querySelector('.cp-canned'), info.lang || '');
    box.appendChild(el('strong', 'cp-name', tf('console.chat_name', 'Chatt {id}', { id: shortId(chat.id) })));
    if (info.channel) { box.appendChild(el('span', 'tag cp-channel', CHANNELS[info.channel] || info.channel)); }
    if (info.age) {
      box.appendChild(el('span', 'tag tag-age cp-age' + (info.age === '18plus' ? '' : ' is-young'), tf('console.age', 'Ålder: {age}', { age: AGES[info.age] || info.age })));
    }
    if (info.age && info.age !== '18plus' && typeof info.notice_acked === 'boolean') {
      box.appendChild(el('span', 'tag cp-notice' + (info.notice_acked ? '' : ' tag-warn'),
        info.notice_acked ? t('console.notice.acked', 'Anmälningsplikt kvitterad') : t('console.notice.not_acked', 'Anmälningsplikt inte kvitterad')));
    }
    if (info.lang) { box.appendChild(el('span', 'tag', languageName(info.lang))); }
    if (info.topic) { box.appendChild(el('span', 'tag', S.topicLabels[info.topic] || info.topic)); }
    if (info.profession) {
      box.appendChild(el('span', 'tag cp-profession', t('console.profession', 'Yrke') + ': ' + (S.professionLabels[info.profession] || info.profession)));
    }
    if (info.gender) { box.appendChild(el('span', 'tag', GENDERS[info.gender] || info.gender)); }
    if (info.kommun) {
      box.appendChild(el('span', 'tag cp-kommun', t('console.kommun', 'Kommun') + ': ' + (KOMMUNER[info.kommun] ? KOMMUNER[info.kommun] + ' (' + info.kommun + ')' : info.kommun)));
    }
    var session = info.session || {};
    if (typeof session.number === 'number') {
      box.appendChild(el('span', 'tag cp-session', sessionLabel(session)));
    }
    if (session.over_cap) { box.appendChild(el('span', 'tag tag-overcap', t('console.overcap', 'Över gränsen: dags att hänvisa vidare'))); }
    var over = chat.panel.querySelector('.cp-overcap');
    if (session.over_cap) {
      over.textContent = tf('console.overcap_note', 'Det här är samtal {n} med samma kod, fler än de ' +
        '{cap} stödsamtal vi erbjuder. Samtalet går som vanligt, men din uppgift nu är att hänvisa ' +
        'vidare till rätt fortsatt stöd (se ”Hänvisa vidare” nedan).', { n: session.number, cap: session.cap });
    }
    show(over, !!session.over_cap);
    if (info.kommun) { setDefault(chat.panel.querySelector('.cp-refer-kommun'), info.kommun); }
    if (info.topic) { setDefault(chat.panel.querySelector('.cp-refer-topic'), info.topic); }
  }

  function setDefault(select, value) {
    if (!select || select.getAttribute('data-touched')) { return; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { select.value = value; return; }
    }
  }

  function ensureChat(id) {
    if (S.chats[id]) { return S.chats[id]; }
    S.panelCounter += 1;
    var n = S.panelCounter;
    var tpl = $('chat-panel-template');
    var panel = tpl.content.firstElementChild.cloneNode(true);
    panel.id = 'chat-panel-' + n;
    panel.setAttribute('data-chat', id);
    panel.setAttribute('aria-labelledby', 'chat-tab-' + n);
    panel.hidden = true;

    var input = panel.querySelector('.cp-input');
    input.id = 'cp-input-' + n;
    panel.querySelector('.cp-input-label').htmlFor = input.id;
    var note = panel.querySelector('.cp-note');
    note.id = 'cp-note-' + n;
    panel.querySelector('.cp-note-label').htmlFor = note.id;
    var summary = panel.querySelector('.cp-summary');
    summary.id = 'cp-summary-' + n;
    panel.querySelector('.cp-summary-label').htmlFor = summary.id;
    fillReferFilters(panel);
    renderRisk(panel, n);

    fillCanned(panel.querySelector('.cp-canned'), '');
    fillTransferChoices(panel.querySelector('.cp-transfer-to'));
    renderReasons(panel, n);

    var tab = el('button', 'c-tab');
    tab.type = 'button';
    tab.id = 'chat-tab-' + n;
    tab.setAttribute('role', 'tab');
    tab.setAttribute('aria-controls', panel.id);
    tab.setAttribute('aria-selected', 'false');
    tab.setAttribute('data-chat', id);
    tab.appendChild(el('span', 'c-tab-name', tf('console.chat_name', 'Chatt {id}', { id: shortId(id) })));
    var badge = el('span', 'c-tab-unread', '');
    badge.hidden = true;
    tab.appendChild(badge);
    var away = el('span', 'c-tab-away', 'dold');
    away.hidden = true;
    tab.appendChild(away);

    var chat = {
      id: id, n: n, panel: panel, tab: tab, info: {}, seen: {}, pending: {}, unread: 0,
      ended: false, typingTimer: 0, localNotes: [], riskCounted: false
    };
    S.chats[id] = chat;
    S.order.push(id);
    $('chat-tabs').appendChild(tab);
    $('chat-panels').appendChild(panel);
    show($('chats-empty'), false);
    wirePanel(chat);
    chatFacts(chat);
    fillConsultation(chat);
    return chat;
  }

  // Professional channel: the counsellor records profession and municipality, no names.
  function fillConsultation(chat) {
    var box = chat.panel.querySelector('.cp-consult');
    if (!box || chat.info.channel !== 'professional') { return; }
    box.hidden = false;
    var prof = box.querySelector('.cp-consult-profession');
    var kom = box.querySelector('.cp-consult-kommun');
    if (prof.options.length <= 1) {
      Object.keys(S.professionLabels).forEach(function (code) {
        var opt = el('option', null, S.professionLabels[code]);
        opt.value = code;
        prof.appendChild(opt);
      });
    }
    fillKommunSelect(kom);
    if (chat.info.profession && !prof.value) { prof.value = chat.info.profession; }
    if (chat.info.kommun && !kom.value) { kom.value = chat.info.kommun; }
  }

  function renderReasons(panel, n) {
    var box = panel.querySelector('.cp-reasons');
    clear(box);
    S.topics.forEach(function (topic, i) {
      var label = el('label', 'cp-reason');
      var cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.value = topic.code;
      cb.id = 'reason-' + n + '-' + i;
      label.appendChild(cb);
      label.appendChild(el('span', null, ' ' + topic.label));
      box.appendChild(label);
    });
    if (!S.topics.length) { box.appendChild(el('p', 'hint', t('console.topics_failed', 'Orsakerna kunde inte hämtas.'))); }
  }

  function selectChat(id) {
    S.active = id;
    S.order.forEach(function (cid) {
      var chat = S.chats[cid];
      var on = cid === id;
      chat.tab.setAttribute('aria-selected', on ? 'true' : 'false');
      chat.tab.tabIndex = on ? 0 : -1;
      chat.panel.hidden = !on;
      if (on) {
        chat.unread = 0;
        renderUnread(chat);
      }
    });
  }

  function renderUnread(chat) {
    var badge = chat.tab.querySelector('.c-tab-unread');
    badge.textContent = chat.unread ? String(chat.unread) : '';
    badge.hidden = !chat.unread;
    chat.tab.classList.toggle('has-unread', chat.unread > 0);
    if (chat.unread) {
      chat.tab.setAttribute('aria-label', tf('console.tab_unread', 'Chatt {id}, {n} olästa', { id: shortId(chat.id), n: chat.unread }));
    } else {
      chat.tab.removeAttribute('aria-label');
    }
  }

  function closeChat(id) {
    var chat = S.chats[id];
    if (!chat) { return; }
    chat.tab.remove();
    chat.panel.remove();
    delete S.chats[id];
    S.order = S.order.filter(function (x) { return x !== id; });
    if (S.active === id) {
      S.active = null;
      if (S.order.length) {
        selectChat(S.order[S.order.length - 1]);
        S.chats[S.active].tab.focus();
      }
    }
    show($('chats-empty'), S.order.length === 0);
  }

  function onAssigned(f) {
    var isNew = !S.chats[f.chat];
    var chat = ensureChat(f.chat);
    ['session', 'age', 'lang', 'topic', 'channel', 'notice_acked', 'gender', 'kommun', 'profession'].forEach(function (k) {
      if (f[k] !== undefined) { chat.info[k] = f[k]; }
    });
    chatFacts(chat);
    setChatOpen(chat, true);
    chat.panel.querySelector('.cp-end-send').disabled = false;
    show(chat.panel.querySelector('.flag-left'), false);
    if (typeof f.away === 'boolean') { setAway(chat, f.away); }
    send({ type: 'risk', chat: f.chat });  // the risk guide's answers, kept with the chat
    chat.transferTo = null;
    if (isNew && f.from) {
      // A warm transfer: who handed it over, and their internal notes.
      addLine(chat, 'system', t('console.who.system', 'System'), tf('console.taken_over', 'Övertagen från {name}.', { name: f.from_name || colleagueName(f.from) }), null);
      (Array.isArray(f.notes) ? f.notes : []).forEach(function (note) {
        addLine(chat, 'note', t('console.note', 'Anteckning') + (note.by ? ' (' + note.by + ')' : ''), note.text, note.at);
      });
    }
    var mine = !!S.accepting[f.chat];
    delete S.accepting[f.chat];
    removeQueueItem(f.chat);
    if (isNew && (mine || !S.active)) {
      selectChat(f.chat);
      chat.panel.querySelector('.cp-input').focus();
    }
  }

  function setChatOpen(chat, open) {
    chat.ended = !open;
    chat.panel.classList.toggle('is-ended', !open);
    chat.tab.classList.toggle('is-ended', !open);
    chat.panel.querySelector('.cp-input').disabled = !open;
    chat.panel.querySelector('.cp-send').disabled = !open;
    chat.panel.querySelector('.cp-canned').disabled = !open;
    show(chat.panel.querySelector('.cp-close'), !open);
  }

  function addLine(chat, kind, who, text, at) {
    var list = chat.panel.querySelector('.cp-messages');
    var li = el('li', 'cm cm-' + kind);
    li.appendChild(el('span', 'cm-who', who));
    li.appendChild(el('span', 'cm-time', formatTime(at)));
    li.appendChild(el('span', 'cm-text', String(text || '')));
    list.appendChild(li);
    if (S.active === chat.id && typeof li.scrollIntoView === 'function') {
      try { li.scrollIntoView({ block: 'nearest' }); } catch (e) { li.scrollIntoView(false); }
    }
    return li;
  }

  function bumpUnread(chat) {
    if (S.active === chat.id && !document.hidden) { return; }
    chat.unread += 1;
    renderUnread(chat);
  }

  function onMsg(f) {
    if (!f.chat) { return; }
    var chat = ensureChat(f.chat);
    if (typeof f.seq === 'number') {
      if (chat.seen[f.seq]) { return; }
      chat.seen[f.seq] = true;
    }
    var kind = f.from === 'visitor' ? 'visitor' : (f.from === 'counsellor' ? 'counsellor' : 'system');
    var who = kind === 'visitor' ? t('console.who.visitor', 'Besökare') : (kind === 'counsellor' ? t('console.who.counsellor', 'Kurator') : t('console.who.system', 'System'));
    addLine(chat, kind, who, f.text, f.at);
    if (kind === 'visitor') {
      show(chat.panel.querySelector('.cp-typing'), false);
      bumpUnread(chat);
    }
    if (!S.active) { selectChat(chat.id); }
  }

  function onAck(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    if (typeof f.seq === 'number') { chat.seen[f.seq] = true; }
    var li = chat.pending[f.id];
    if (li) {
      li.classList.remove('is-pending');
      var state = li.querySelector('.cm-state');
      if (state) { state.remove(); }
      delete chat.pending[f.id];
    }
  }

  function onTyping(f) {
    var chat = S.chats[f.chat];
    if (!chat || chat.ended) { return; }
    var node = chat.panel.querySelector('.cp-typing');
    show(node, true);
    window.clearTimeout(chat.typingTimer);
    chat.typingTimer = window.setTimeout(function () { show(node, false); }, TYPING_SHOW_MS);
  }

  function onNote(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    if (f.by === 'summary') {
      // Brought in by the young person's return code: the last counsellor's note for us.
      var box = chat.panel.querySelector('.cp-prev-summary');
      box.querySelector('.cp-prev-summary-text').textContent = String(f.text || '');
      show(box, true);
      return;
    }
    var idx = chat.localNotes.indexOf(f.text);
    if (idx >= 0) { chat.localNotes.splice(idx, 1); return; }
    addLine(chat, 'note', t('console.note', 'Anteckning') + (f.by ? ' (' + f.by + ')' : ''), f.text, f.at);
  }

  function onVisitorLeft(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    var text = LEFT_HOW[f.how] || t('console.left.other', 'Besökaren har lämnat.');
    addLine(chat, 'system', t('console.who.system', 'System'), text, null);
    var flag = chat.panel.querySelector('.flag-left');
    flag.textContent = f.how === 'exit' ? t('console.left.flag_exit', 'Lämnade snabbt') : t('console.left.flag', 'Besökaren har gått');
    flag.classList.toggle('is-exit', f.how === 'exit');
    show(flag, true);
    show(chat.panel.querySelector('.flag-away'), false);
    show(chat.tab.querySelector('.c-tab-away'), false);
    show(chat.panel.querySelector('.cp-typing'), false);
    setChatOpen(chat, false);
    bumpUnread(chat);
    // The reasons can still be recorded: keep the end form reachable.
    chat.panel.querySelector('.cp-end').open = true;
  }

  function setAway(chat, on) {
    show(chat.panel.querySelector('.flag-away'), on);
    show(chat.tab.querySelector('.c-tab-away'), on);
    chat.tab.classList.toggle('is-away', on);
  }

  function onVisitorAway(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    var on = !!f.on;
    setAway(chat, on);
    addLine(chat, 'system', t('console.who.system', 'System'), on ? t('console.away.on', 'Besökaren dolde chatten (någon kan vara i närheten). Vänta med att skriva.') : t('console.away.off', 'Besökaren är tillbaka i chatten.'), null);
  }

  function onReleased(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    if (!chat.ended) { addLine(chat, 'system', t('console.who.system', 'System'), t('console.not_yours', 'Chatten är inte längre din (tillbaka i kön eller överlämnad).'), null); }
    setChatOpen(chat, false);
  }

  function onEnded(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    if (!chat.ended) { addLine(chat, 'system', t('console.who.system', 'System'), ENDED_BY[f.by] || t('console.ended.counsellor', 'Chatten är avslutad.'), null); }
    setChatOpen(chat, false);
  }

  // ---------------------------------------------------------------- panel actions
  function wirePanel(chat) {
    var p = chat.panel;
    var input = p.querySelector('.cp-input');
    chat.tab.addEventListener('click', function () { selectChat(chat.id); });
    chat.tab.addEventListener('keydown', onTabKeydown);
    p.querySelector('.cp-form').addEventListener('submit', function (e) { e.preventDefault(); sendMsg(chat); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMsg(chat); }
    });
    input.addEventListener('input', function () {
      updateCount(chat);
      var now = Date.now();
      if (!chat.ended && input.value.trim() && now - (S.lastTypingAt[chat.id] || 0) >= TYPING_SEND_EVERY_MS) {
        S.lastTypingAt[chat.id] = now;
        send({ type: 'typing', chat: chat.id });
      }
    });
    p.querySelector('.cp-canned').addEventListener('change', function (e) {
      var text = e.target.value;
      e.target.value = '';
      if (!text) { return; }
      var start = input.selectionStart || input.value.length;
      var end = input.selectionEnd || input.value.length;
      var before = input.value.slice(0, start);
      var sep = before && !/\s$/.test(before) ? ' ' : '';
      input.value = before + sep + text + input.value.slice(end);
      input.focus();
      var caret = (before + sep + text).length;
      input.setSelectionRange(caret, caret);
      updateCount(chat);
    });
    p.querySelector('.cp-note-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var note = p.querySelector('.cp-note');
      var text = note.value.trim();
      if (!text) { return; }
      if (send({ type: 'note', chat: chat.id, text: text })) {
        chat.localNotes.push(text);
        addLine(chat, 'note', t('console.note_staff', 'Anteckning (bara personal)'), text, null);
        note.value = '';
      }
    });
    p.querySelector('.cp-to-queue').addEventListener('click', function () {
      if (send({ type: 'transfer', chat: chat.id, to: 'queue' })) {
        addLine(chat, 'system', t('console.who.system', 'System'), t('console.requeued', 'Du lämnade tillbaka chatten först i kön.'), null);
        setChatOpen(chat, false);
      }
    });
    p.querySelector('.cp-transfer-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var select = p.querySelector('.cp-transfer-to');
      var to = select.value;
      var option = select.options[select.selectedIndex];
      if (!to || (option && option.disabled)) { return; }
      if (send({ type: 'transfer', chat: chat.id, to: to })) {
        chat.transferTo = to;
        addLine(chat, 'system', t('console.who.system', 'System'), tf('console.handing_over', 'Lämnar över chatten till {name}…', { name: colleagueName(to) }), null);
        setChatOpen(chat, false);
      }
    });
    p.querySelector('.cp-refer-form').addEventListener('submit', function (e) {
      e.preventDefault();
      searchDirectory(chat);
    });
    p.querySelector('.cp-refer-results').addEventListener('click', function (e) {
      var btn = e.target.closest ? e.target.closest('.cp-refer-send') : null;
      if (!btn) { return; }
      if (send({ type: 'refer', chat: chat.id, org: btn.getAttribute('data-org') })) {
        btn.disabled = true;
        btn.textContent = t('heavy.sending', 'Skickar…');
      }
    });
    p.querySelector('.cp-end-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var reasons = [];
      var boxes = p.querySelectorAll('.cp-reasons input:checked');
      for (var i = 0; i < boxes.length; i++) { reasons.push(boxes[i].value); }
      var endFrame = { type: 'end', chat: chat.id, reasons: reasons };
      if (chat.info.channel === 'professional') {
        var prof = p.querySelector('.cp-consult-profession').value;
        var kom = p.querySelector('.cp-consult-kommun').value;
        if (prof) { endFrame.profession = prof; }
        if (kom) { endFrame.kommun = kom; }
      }
      if (send(endFrame)) {
        if (!chat.ended) { addLine(chat, 'system', t('console.who.system', 'System'), t('console.you_ended', 'Du avslutade chatten.'), null); }
        setChatOpen(chat, false);
        p.querySelector('.cp-end-send').disabled = true;
        p.querySelector('.cp-end').open = false;
      }
    });
    p.querySelector('.cp-close').addEventListener('click', function () { closeChat(chat.id); });
    p.querySelector('.cp-summary-form').addEventListener('submit', function (e) {
      e.preventDefault();
      saveSummary(chat);
    });
    ['.cp-refer-kommun', '.cp-refer-topic', '.cp-refer-lang'].forEach(function (sel) {
      p.querySelector(sel).addEventListener('change', function (e) { e.target.setAttribute('data-touched', '1'); });
    });
    p.querySelector('.cp-risk-questions').addEventListener('change', function () { sendRiskAnswers(chat); });
    p.querySelector('.cp-risk-save').addEventListener('click', function () { saveRisk(chat); });
  }

  function onTabKeydown(e) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') { return; }
    var idx = S.order.indexOf(S.active);
    if (idx < 0) { return; }
    idx = (idx + (e.key === 'ArrowRight' ? 1 : -1) + S.order.length) % S.order.length;
    selectChat(S.order[idx]);
    S.chats[S.order[idx]].tab.focus();
    e.preventDefault();
  }

  function updateCount(chat) {
    var input = chat.panel.querySelector('.cp-input');
    var count = chat.panel.querySelector('.cp-count');
    var n = codePoints(input.value);
    if (n >= COUNTER_FROM_CHARS) {
      count.textContent = tf('console.chars_left', '{n} tecken kvar', { n: MAX_MESSAGE_CHARS - n });
      count.classList.toggle('is-over', n > MAX_MESSAGE_CHARS);
    } else {
      count.textContent = '';
      count.classList.remove('is-over');
    }
  }

  function sendMsg(chat) {
    var input = chat.panel.querySelector('.cp-input');
    var text = input.value;
    if (!text.trim() || chat.ended) { return; }
    if (codePoints(text) > MAX_MESSAGE_CHARS) {
      toast(tf('console.too_long', 'Meddelandet är för långt (högst {n} tecken).', { n: MAX_MESSAGE_CHARS }));
      return;
    }
    var id = newClientId();
    if (!send({ type: 'msg', chat: chat.id, id: id, text: text })) { return; }
    var li = addLine(chat, 'counsellor', t('console.who.you', 'Du'), text, null);
    li.classList.add('is-pending');
    li.appendChild(el('span', 'cm-state', 'skickas…'));
    chat.pending[id] = li;
    input.value = '';
    updateCount(chat);
  }

  // ---------------------------------------------------------------- referral search
  function fillReferFilters(panel) {
    fillKommunSelect(panel.querySelector('.cp-refer-kommun'));
    fillTopicFilter(panel);
  }

  // A <select> of every municipality by name (typing a name's first letters jumps to it).
  function fillKommunSelect(select) {
    if (!select || select.options.length > 1) { return; }
    Object.keys(KOMMUNER).sort(function (a, b) { return KOMMUNER[a].localeCompare(KOMMUNER[b], 'sv'); })
      .forEach(function (code) {
        var opt = el('option', null, KOMMUNER[code]);
        opt.value = code;
        select.appendChild(opt);
      });
  }

  function loadMunicipalities() {
    return getJSON('/api/municipalities').then(function (data) {
      (data && Array.isArray(data.municipalities) ? data.municipalities : []).forEach(function (m) {
        KOMMUNER[String(m.code)] = String(m.name);
      });
    });
  }

  function fillTopicFilter(panel) {
    var topic = panel.querySelector('.cp-refer-topic');
    var keep = topic.value;
    while (topic.options.length > 1) { topic.remove(1); }
    S.topics.forEach(function (t) {
      var opt = el('option', null, t.label);
      opt.value = t.code;
      topic.appendChild(opt);
    });
    topic.value = keep;
    if (topic.value !== keep) { topic.value = ''; }
  }

  function contactText(org) {
    var parts = [];
    (Array.isArray(org.contact) ? org.contact : []).forEach(function (c) {
      if (c && typeof c.value === 'string') { parts.push(c.value); }
    });
    return parts.join(' · ');
  }

  function searchDirectory(chat) {
    var p = chat.panel;
    var params = [];
    var q = p.querySelector('.cp-refer-q').value.trim();
    if (q) { params.push('q=' + encodeURIComponent(q)); }
    var kommun = p.querySelector('.cp-refer-kommun').value;
    if (/^\d{4}$/.test(kommun)) { params.push('kommun=' + kommun); }
    var topic = p.querySelector('.cp-refer-topic').value;
    if (topic) { params.push('topic=' + encodeURIComponent(topic)); }
    var lang = p.querySelector('.cp-refer-lang').value;
    if (lang) { params.push('lang=' + encodeURIComponent(lang)); }
    if (p.querySelector('.cp-refer-open').checked) { params.push('open=1'); }
    var list = p.querySelector('.cp-refer-results');
    clear(list);
    list.appendChild(el('li', 'hint', t('console.searching', 'Söker…')));
    getJSON('/api/directory?' + params.join('&')).then(function (data) {
      clear(list);
      var orgs = data && Array.isArray(data.orgs) ? data.orgs : [];
      if (!orgs.length) { list.appendChild(el('li', 'hint', t('console.no_hits', 'Inga träffar. Prova med färre filter.'))); return; }
      orgs.slice(0, 30).forEach(function (org) {
        var li = el('li', 'cp-org');
        li.setAttribute('data-org', String(org.id));
        var head = el('div', 'cp-org-head');
        head.appendChild(el('strong', 'cp-org-name', String(org.name || '')));
        var btn = el('button', 'btn btn-small cp-refer-send', t('console.send', 'Skicka'));
        btn.type = 'button';
        btn.setAttribute('data-org', String(org.id));
        btn.setAttribute('data-name', String(org.name || ''));
        btn.setAttribute('aria-label', tf('console.send_card', 'Skicka kortet för {name} till besökaren', { name: String(org.name || '') }));
        btn.disabled = chat.ended;
        head.appendChild(btn);
        li.appendChild(head);
        if (org.helps_with) { li.appendChild(el('p', 'cp-org-helps', String(org.helps_with))); }
        var meta = [];
        if (Array.isArray(org.kommun) && org.kommun.length) {
          meta.push(org.kommun.map(function (k) { return k === '*' ? t('console.whole_country', 'hela landet') : (KOMMUNER[k] || k); }).join(', '));
        } else if (typeof org.kommun === 'string' && org.kommun) {
          meta.push(org.kommun);
        }
        if (Array.isArray(org.languages) && org.languages.length) {
          meta.push(t('console.languages', 'Språk') + ': ' + org.languages.map(function (l) { return languageName(l); }).join(', '));
        }
        var contact = contactText(org);
        if (contact) { meta.push(contact); }
        if (meta.length) { li.appendChild(el('p', 'hint cp-org-meta', meta.join(' · '))); }
        var person = org.contact_person ? String(org.contact_person) + (org.contact_email ? ' <' + org.contact_email + '>' : '') : '';
        if (person) { li.appendChild(el('p', 'hint cp-org-person', t('console.contact_person', 'Kontaktperson (bara personal)') + ': ' + person)); }
        if (org.source) {
          // A link only for an https address the server vouched for (source_url); else text.
          var src = el('p', 'hint cp-org-source', t('console.source', 'Källa') + ': ');
          if (org.source_url) {
            var a = el('a', null, String(org.source));
            a.href = String(org.source_url);
            a.rel = 'noopener noreferrer';
            a.target = '_blank';
            src.appendChild(a);
          } else {
            src.appendChild(document.createTextNode(String(org.source)));
          }
          li.appendChild(src);
        }
        var due = dueNote(org);
        if (due) { li.appendChild(due); }
        list.appendChild(li);
      });
    }).catch(function () {
      clear(list);
      list.appendChild(el('li', 'hint', t('console.directory_failed', 'Katalogen kunde inte hämtas just nu.')));
    });
  }

  function onReferred(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    var card = f.card || {};
    addLine(chat, 'system', t('console.who.system', 'System'), tf('console.referral_sent', 'Hänvisning skickad till besökaren: {name}', { name: String(card.name || f.org || '') }), null);
    var btns = chat.panel.querySelectorAll('.cp-refer-send');
    for (var i = 0; i < btns.length; i++) {
      if (btns[i].getAttribute('data-org') === f.org) {
        btns[i].disabled = true;
        btns[i].textContent = t('console.sent', 'Skickat') + ' ✓';
      }
    }
  }

  // ---------------------------------------------------------------- summary for next time
  function saveSummary(chat) {
    var p = chat.panel;
    var text = p.querySelector('.cp-summary').value.trim();
    var status = p.querySelector('.cp-summary-status');
    status.className = 'cp-summary-status';
    if (!text) { status.textContent = t('console.summary.empty', 'Skriv en kort sammanfattning först.'); return; }
    if (codePoints(text) > MAX_SUMMARY_CHARS) {
      status.textContent = tf('console.summary.too_long', 'För lång: högst {n} tecken.', { n: MAX_SUMMARY_CHARS });
      return;
    }
    if (send({ type: 'summary', chat: chat.id, text: text })) {
      status.textContent = t('console.saving', 'Sparar…');
    }
  }

  function onSummarySaved(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    var status = chat.panel.querySelector('.cp-summary-status');
    if (f.saved) {
      status.textContent = t('console.summary.saved', 'Sparad. Nästa kurator ser den om den unga kommer tillbaka med sin kod.');
      status.className = 'cp-summary-status is-ok';
    } else {
      status.textContent = t('console.summary.no_code', 'Inte sparad: chatten har ingen återkomstkod. ' +
        'Erbjud en kod först (den unga trycker på ”Ge mig en återkomstkod”), och spara sedan igen.');
      status.className = 'cp-summary-status is-warn';
    }
  }

  // ---------------------------------------------------------------- risk guide
  function loadRiskGuide() {
    getJSON('/api/riskguide').then(function (data) {
      if (!data || !Array.isArray(data.questions)) { return; }
      S.riskGuide = data;
      S.order.forEach(function (id) {
        renderRisk(S.chats[id].panel, S.chats[id].n);
        if (S.ws && S.ws.readyState === WebSocket.OPEN) { send({ type: 'risk', chat: id }); }
      });
    }).catch(function () { /* the panel says so */ });
  }

  function renderRisk(panel, n) {
    var guide = S.riskGuide;
    var box = panel.querySelector('.cp-risk-questions');
    if (box.getAttribute('data-ready')) { return; }
    clear(box);
    if (!guide) { box.appendChild(el('p', 'hint', t('console.guide_failed', 'Vägledningen kunde inte hämtas ännu.'))); return; }
    var review = guide.review || {};
    panel.querySelector('.cp-risk-review').textContent = String(review.note || '');
    panel.querySelector('.cp-risk-review').classList.toggle('is-pending', review.status === 'pending');
    guide.questions.forEach(function (q, i) {
      var fs = el('fieldset', 'cp-risk-q');
      fs.setAttribute('data-key', q.key);
      fs.appendChild(el('legend', null, String(q.text)));
      if (q.hint) { fs.appendChild(el('p', 'hint cp-risk-hint', String(q.hint))); }
      var row = el('div', 'cp-risk-options');
      (guide.answers || []).forEach(function (a) {
        var label = el('label', 'cp-risk-option');
        var input = document.createElement('input');
        input.type = 'radio';
        input.name = 'risk-' + n + '-' + i;
        input.value = a.value;
        input.id = 'risk-' + n + '-' + i + '-' + a.value;
        label.appendChild(input);
        label.appendChild(el('span', null, ' ' + String(a.label)));
        row.appendChild(label);
      });
      fs.appendChild(row);
      box.appendChild(fs);
    });
    box.setAttribute('data-ready', '1');
  }

  function riskAnswers(panel) {
    var answers = {};
    var qs = panel.querySelectorAll('.cp-risk-q');
    for (var i = 0; i < qs.length; i++) {
      var picked = qs[i].querySelector('input:checked');
      if (picked) { answers[qs[i].getAttribute('data-key')] = picked.value; }
    }
    return answers;
  }

  // The advice is the server's (riskguide.advise, through the `risk` console frame): the page
  // sends the answers and shows what comes back; the answers stay with the chat on the server,
  // so a reload or a transfer keeps them, and "once per chat" is counted there.
  function sendRiskAnswers(chat) {
    if (chat.ended) { return; }
    send({ type: 'risk', chat: chat.id, answers: riskAnswers(chat.panel) });
  }

  function setRiskAnswers(panel, answers) {
    var qs = panel.querySelectorAll('.cp-risk-q');
    for (var i = 0; i < qs.length; i++) {
      var want = answers[qs[i].getAttribute('data-key')];
      var inputs = qs[i].querySelectorAll('input');
      for (var j = 0; j < inputs.length; j++) { inputs[j].checked = inputs[j].value === want; }
    }
  }

  function onRisk(f) {
    var chat = S.chats[f.chat];
    if (!chat) { return; }
    var answers = f.answers && typeof f.answers === 'object' ? f.answers : {};
    setRiskAnswers(chat.panel, answers);
    renderRiskAdvice(chat, Array.isArray(f.advice) ? f.advice : []);
    chat.riskCounted = !!f.counted;
    var status = chat.panel.querySelector('.cp-risk-status');
    chat.panel.querySelector('.cp-risk-save').disabled = chat.riskCounted;
    if (chat.riskCounted) {
      status.textContent = tf('console.risk.counted', 'Räknat anonymt i statistiken ({n} svar).', { n: Object.keys(answers).length });
    }
  }

  function renderRiskAdvice(chat, serverAdvice) {
    var p = chat.panel;
    var advice = serverAdvice.map(function (e) { return { escalation: e, because: e.because || [] }; });
    var list = p.querySelector('.cp-risk-advice');
    clear(list);
    var texts = {};
    var ownWords = {};
    (S.riskGuide ? S.riskGuide.questions : []).forEach(function (q) { texts[q.key] = q.text; });
    // The frame reaches every colleague in the chat in the guide's Swedish; the guide this page
    // fetched is in its colleague's language, so the words are taken from it by key.
    (S.riskGuide && Array.isArray(S.riskGuide.escalations) ? S.riskGuide.escalations : [])
      .forEach(function (e) { ownWords[e.key] = e; });
    advice.forEach(function (item) {
      var e = ownWords[item.escalation.key] || item.escalation;
      var li = el('li', 'cp-risk-item level-' + String(e.level));
      li.setAttribute('data-key', String(e.key));
      var head = el('p', 'cp-risk-title');
      head.appendChild(el('span', 'tag cp-risk-level', String(e.level_label || e.level)));
      head.appendChild(el('strong', null, ' ' + String(e.title)));
      li.appendChild(head);
      li.appendChild(el('p', 'cp-risk-action', String(e.action)));
      if (e.contact) { li.appendChild(el('p', 'hint', t('console.contact', 'Kontakt') + ': ' + String(e.contact))); }
      if (item.because.length) {
        li.appendChild(el('p', 'hint', t('console.risk.because', 'Därför') + ': ' + item.because.map(function (k) { return texts[k] || k; }).join(' ')));
      }
      list.appendChild(li);
    });
    show(p.querySelector('.cp-risk-none'), advice.length === 0);
  }

  function saveRisk(chat) {
    var p = chat.panel;
    var status = p.querySelector('.cp-risk-status');
    if (!Object.keys(riskAnswers(p)).length) { status.textContent = t('console.risk.none', 'Svara på minst en fråga först.'); return; }
    if (chat.riskCounted) { status.textContent = t('console.risk.already', 'Svaren är redan räknade för det här samtalet.'); return; }
    if (send({ type: 'risk', chat: chat.id, count: true })) { status.textContent = t('console.saving', 'Sparar…'); }
  }

  // ---------------------------------------------------------------- inbox (left messages)
  function formatSince(ts) {
    var d = new Date(ts);
    if (isNaN(d.getTime())) { return ''; }
    try {
      return new Intl.DateTimeFormat(timeLocale, { dateStyle: 'short', timeStyle: 'short' }).format(d);
    } catch (e) {
      return d.toISOString();
    }
  }

  function onInbox(f) {
    S.inbox = Array.isArray(f.items) ? f.items : [];
    var list = $('inbox-list');
    clear(list);
    S.inbox.forEach(function (item, i) {
      if (!item || typeof item.record !== 'string') { return; }
      var li = el('li', 'inbox-item');
      var btn = el('button', 'inbox-open', null);
      btn.type = 'button';
      btn.setAttribute('data-record', item.record);
      btn.appendChild(el('span', 'inbox-label', tf('console.inbox.message', 'Meddelande {n}', { n: i + 1 })));
      btn.appendChild(el('span', 'inbox-since', tf('console.inbox.since', 'Väntar sedan {when}', { when: formatSince(item.waiting_since) })));
      var n = typeof item.unanswered === 'number' ? item.unanswered : 0;
      btn.appendChild(el('span', 'inbox-unanswered', n + (n === 1 ? ' obesvarat' : ' obesvarade')));
      if (item.record === S.inboxRecord) { li.classList.add('is-open'); }
      li.appendChild(btn);
      list.appendChild(li);
    });
    $('inbox-count').textContent = String(S.inbox.length);
    show($('inbox-empty'), S.inbox.length === 0);
  }

  function openInbox(record) {
    if (send({ type: 'inbox_open', record: record })) {
      S.inboxRecord = record;
      $('inbox-status').textContent = '';
    }
  }

  function onInboxThread(f) {
    if (typeof f.record !== 'string') { return; }
    S.inboxRecord = f.record;
    var items = $('inbox-thread-items');
    clear(items);
    (Array.isArray(f.items) ? f.items : []).forEach(function (m) {
      var kind = m.from === 'counsellor' ? 'counsellor' : 'visitor';
      var li = el('li', 'cm cm-' + kind);
      li.appendChild(el('span', 'cm-who', kind === 'counsellor' ? t('console.who.counsellor', 'Kurator') : t('console.who.young', 'Den unga')));
      li.appendChild(el('span', 'cm-time', formatSince(m.at)));
      li.appendChild(el('span', 'cm-text', String(m.text || '')));
      items.appendChild(li);
    });
    var rows = $('inbox-list').querySelectorAll('.inbox-item');
    for (var i = 0; i < rows.length; i++) {
      var btn = rows[i].querySelector('.inbox-open');
      rows[i].classList.toggle('is-open', !!btn && btn.getAttribute('data-record') === f.record);
    }
    show($('inbox-thread'), true);
    $('inbox-reply-text').focus();
  }

  function onInboxReplied(f) {
    $('inbox-status').textContent = t('console.inbox.sent', 'Svaret är skickat. Den unga läser det med sin kod.');
    $('inbox-reply-send').disabled = false;
    if (f.record === S.inboxRecord) { send({ type: 'inbox_open', record: f.record }); }
  }

  function sendInboxReply(event) {
    event.preventDefault();
    var input = $('inbox-reply-text');
    var text = input.value.trim();
    if (!text || !S.inboxRecord) { return; }
    if (codePoints(text) > MAX_MESSAGE_CHARS) {
      toast(tf('console.inbox.too_long', 'Svaret är för långt (högst {n} tecken).', { n: MAX_MESSAGE_CHARS }));
      return;
    }
    if (send({ type: 'inbox_reply', record: S.inboxRecord, text: text })) {
      input.value = '';
      $('inbox-reply-send').disabled = true;
      $('inbox-status').textContent = t('heavy.sending', 'Skickar…');
    }
  }

  function closeInbox() {
    S.inboxRecord = null;
    show($('inbox-thread'), false);
    clear($('inbox-thread-items'));
    var rows = $('inbox-list').querySelectorAll('.inbox-item');
    for (var i = 0; i < rows.length; i++) { rows[i].classList.remove('is-open'); }
  }

  // ---------------------------------------------------------------- start
  function loadTopics() {
    getJSON('/api/topics?lang=' + STAFF_LANG).then(function (data) {
      if (!data || !Array.isArray(data.topics)) { return; }
      S.topics = data.topics;
      S.topicLabels = {};
      data.topics.forEach(function (t) { S.topicLabels[t.code] = t.label; });
      S.order.forEach(function (id) {
        renderReasons(S.chats[id].panel, S.chats[id].n);
        fillTopicFilter(S.chats[id].panel);
        chatFacts(S.chats[id]);
      });
      renderQueue();
    }).catch(function () { /* the reasons list says so */ });
  }

  function loadProfessions() {
    getJSON('/api/professions?lang=' + STAFF_LANG).then(function (data) {
      if (!data || !Array.isArray(data.professions)) { return; }
      data.professions.forEach(function (p) { S.professionLabels[p.code] = p.label; });
      S.order.forEach(function (id) { chatFacts(S.chats[id]); fillConsultation(S.chats[id]); });
    }).catch(function () { /* the code is shown instead */ });
  }

  function init() {
    setSender(send);
    initColleagues({ send: send, toast: toast });
    $('queue-list').addEventListener('click', onQueueClick);
    startAlerts();
    startShortcuts();
    window.setInterval(tickQueue, 1000);
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && S.active && S.chats[S.active]) {
        S.chats[S.active].unread = 0;
        renderUnread(S.chats[S.active]);
      }
    });
    $('inbox-list').addEventListener('click', function (e) {
      var btn = e.target.closest ? e.target.closest('.inbox-open') : null;
      if (btn) { openInbox(btn.getAttribute('data-record')); }
    });
    $('inbox-reply-form').addEventListener('submit', sendInboxReply);
    $('inbox-close').addEventListener('click', closeInbox);
    renderQueue();
    loadTopics();
    loadProfessions();
    loadRiskGuide();
    // The chats' municipality names come from the server's list: load it before the queue.
    loadMunicipalities().then(connect, connect);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
