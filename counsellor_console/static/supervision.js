/*
 * Supervisors in a chat (protocol.md, Console 1.1): the list of every chat in progress
 * (`chats`, supervisors and admins only) with urgent / heavy / escalation, reading along
 * (`watch`) and whispering (`whisper`) from it; escalations as they come; and whispers in a
 * chat's panel, shown apart from the conversation, with a form to answer (the counsellor) or
 * to whisper (a supervisor reading along). The young person never sees a whisper.
 */
import { $, clear, el, show } from '/static/common/dom.js';
import { codePoints, formatTime } from '/static/common/text.js';
import { alert, canSupervise, onFrame, panelOf, send, watched } from './bus.js';
import { t, timeLocale } from './i18n.js';
import { limits } from './page_config.js';

const MAX_CHARS = limits.message_chars;
const CHANNELS = { youth: 'Unga', professional: 'Yrkesverksamma' };
const LEVELS = { acute: 'Akut', concern: 'Oro' };
const S = { items: [], at: 0, nodes: {}, log: {} };

function shortId(id) { return String(id || '').slice(-6); }

function minutes(seconds) {
  const m = Math.floor(Math.max(0, seconds) / 60);
  return m < 60 ? m + ' min' : Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

function levelText(level) { return t('supervision.level.' + level, LEVELS[level] || String(level)); }

// ------------------------------------------------------------------ the list of chats
function section() {
  let box = $('sup-chats');
  if (box || !canSupervise()) { return box; }
  box = el('section', 'c-sup');
  box.id = 'sup-chats';
  box.setAttribute('aria-labelledby', 'sup-chats-heading');
  const h = el('h2', null, t('supervision.heading', 'Pågående chattar') + ' ');
  h.id = 'sup-chats-heading';
  const badge = el('span', 'badge', '0');
  badge.id = 'sup-chats-count';
  h.appendChild(badge);
  box.appendChild(h);
  const alerts = el('ol', 'sup-alerts');
  alerts.id = 'sup-alerts';
  alerts.setAttribute('aria-live', 'assertive');
  box.appendChild(alerts);
  const list = el('ol', 'sup-list');
  list.id = 'sup-chats-list';
  box.appendChild(list);
  const empty = el('p', 'hint', t('supervision.empty', 'Inga chattar pågår just nu.'));
  empty.id = 'sup-chats-empty';
  box.appendChild(empty);
  const pane = $('queue-pane');
  const inbox = $('inbox');
  if (pane) { pane.insertBefore(box, inbox || null); }
  box.addEventListener('click', onListClick);
  return box;
}

function entry(chatId) {
  if (S.nodes[chatId]) { return S.nodes[chatId]; }
  const li = el('li', 'sup-item');
  li.setAttribute('data-chat', chatId);
  const head = el('div', 'sup-head');
  const facts = el('div', 'sup-facts');
  const actions = el('div', 'cp-row sup-actions');
  const watch = el('button', 'btn btn-small sup-watch', t('supervision.watch', 'Läs med'));
  watch.type = 'button';
  watch.setAttribute('data-chat', chatId);
  const open = el('button', 'btn btn-small sup-whisper-open', t('supervision.whisper', 'Viska'));
  open.type = 'button';
  open.setAttribute('aria-expanded', 'false');
  actions.appendChild(watch);
  actions.appendChild(open);
  head.appendChild(facts);
  head.appendChild(actions);
  li.appendChild(head);
  const form = whisperForm(chatId, 'sup-whisper-form');
  form.hidden = true;
  li.appendChild(form);
  const log = el('ol', 'sup-whispers');
  li.appendChild(log);
  const node = { li: li, facts: facts, watch: watch, open: open, form: form, log: log };
  S.nodes[chatId] = node;
  return node;
}

function fill(node, it, elapsed) {
  clear(node.facts);
  node.facts.appendChild(el('strong', 'sup-name', t('supervision.chat', 'Chatt') + ' ' + shortId(it.chat)));
  node.facts.appendChild(el('span', 'sup-counsellor', String(it.counsellor || '')));
  node.facts.appendChild(el('span', 'tag', CHANNELS[it.channel] || String(it.channel || '')));
  node.facts.appendChild(el('span', 'tag', String(it.lang || '')));
  const age = el('span', 'sup-age', minutes((it.started_s || 0) + elapsed));
  age.title = t('supervision.started', 'Pågått');
  node.facts.appendChild(age);
  if (it.urgent) { node.facts.appendChild(el('span', 'tag q-urgent', t('supervision.urgent', 'I fara just nu'))); }
  if (it.heavy) { node.facts.appendChild(el('span', 'tag tag-heavy', t('supervision.heavy', 'Tungt samtal'))); }
  if (it.escalation) {
    node.facts.appendChild(el('span', 'tag tag-escalation level-' + it.escalation,
      t('supervision.escalation', 'Larm') + ': ' + levelText(it.escalation)));
  }
  node.li.classList.toggle('is-urgent', !!it.urgent);
  node.li.classList.toggle('is-escalated', !!it.escalation);
  const reading = !!panelOf(it.chat);
  node.watch.textContent = reading ? t('supervision.unwatch', 'Sluta läsa') : t('supervision.watch', 'Läs med');
  node.watch.setAttribute('data-reading', reading ? '1' : '');
}

function render() {
  const box = section();
  if (!box) { return; }
  const list = $('sup-chats-list');
  const keep = {};
  const elapsed = Math.floor((Date.now() - S.at) / 1000);
  S.items.forEach((it, i) => {
    if (!it || typeof it.chat !== 'string') { return; }
    keep[it.chat] = true;
    const node = entry(it.chat);
    fill(node, it, elapsed);
    if (list.children[i] !== node.li) { list.insertBefore(node.li, list.children[i] || null); }
  });
  Object.keys(S.nodes).forEach((id) => {
    if (!keep[id]) { S.nodes[id].li.remove(); delete S.nodes[id]; }
  });
  $('sup-chats-count').textContent = String(S.items.length);
  show($('sup-chats-empty'), S.items.length === 0);
}

function onListClick(e) {
  const btn = e.target.closest ? e.target.closest('button') : null;
  if (!btn) { return; }
  const li = btn.closest('.sup-item, .sup-alert');
  const chatId = li ? li.getAttribute('data-chat') : null;
  if (!chatId) { return; }
  if (btn.classList.contains('sup-watch')) {
    if (btn.getAttribute('data-reading')) {
      if (send({ type: 'unwatch', chat: chatId })) { watched.delete(chatId); }
    } else if (send({ type: 'watch', chat: chatId })) {
      watched.add(chatId);
    }
  } else if (btn.classList.contains('sup-whisper-open')) {
    const node = S.nodes[chatId];
    if (!node) { return; }
    const on = node.form.hidden;
    show(node.form, on);
    btn.setAttribute('aria-expanded', on ? 'true' : 'false');
    if (on) { node.form.querySelector('textarea').focus(); }
  } else if (btn.classList.contains('sup-alert-close')) {
    li.remove();
  }
}

// ------------------------------------------------------------------ whispers
function whisperForm(chatId, cls) {
  const form = el('form', cls + ' cp-whisper-form');
  form.noValidate = true;
  const label = el('label', null, t('supervision.whisperLabel', 'Viska (bara personal, aldrig till besökaren)'));
  const text = document.createElement('textarea');
  text.rows = 2;
  text.maxLength = MAX_CHARS * 2;
  text.className = 'cp-whisper-input';
  text.setAttribute('autocomplete', 'off');
  text.setAttribute('spellcheck', 'false');
  label.appendChild(text);
  form.appendChild(label);
  const btn = el('button', 'btn btn-small cp-whisper-send', t('supervision.whisperSend', 'Viska'));
  btn.type = 'submit';
  form.appendChild(btn);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = text.value;
    if (!value.trim()) { return; }
    if (codePoints(value) > MAX_CHARS) { return; }
    if (send({ type: 'whisper', chat: chatId, text: value })) { text.value = ''; }
  });
  return form;
}

function panelWhispers(panel, chatId) {
  let box = panel.querySelector('.cp-whisper');
  if (box) { return box; }
  box = el('details', 'cp-whisper');
  const summary = el('summary', null, t('supervision.whispers', 'Viskningar med arbetsledaren'));
  box.appendChild(summary);
  box.appendChild(el('p', 'hint', t('supervision.whisperHint',
    'Syns bara för personal. Den unga ser aldrig en viskning.')));
  box.appendChild(whisperForm(chatId, 'cp-whisper-panel-form'));
  const messages = panel.querySelector('.cp-messages');
  const after = messages ? messages.parentNode.querySelector('.cp-form') : null;
  if (after && after.parentNode) { after.parentNode.insertBefore(box, after.nextSibling); } else { panel.appendChild(box); }
  return box;
}

function showWhisper(f) {
  const who = t('supervision.whisperFrom', 'Viskning från') + ' ' + String(f.from || '');
  const panel = panelOf(f.chat);
  if (panel) {
    const box = panelWhispers(panel, f.chat);
    box.open = true;
    const list = panel.querySelector('.cp-messages');
    const li = el('li', 'cm cm-whisper');
    li.appendChild(el('span', 'cm-who', who));
    li.appendChild(el('span', 'cm-time', formatTime(f.at, timeLocale)));
    li.appendChild(el('span', 'cm-text', String(f.text || '')));
    list.appendChild(li);
    if (typeof li.scrollIntoView === 'function') { li.scrollIntoView({ block: 'nearest' }); }
  }
  const node = S.nodes[f.chat];
  if (node && !panel) {
    const li = el('li', 'sup-whisper');
    li.appendChild(el('span', 'cm-who', who + ' ' + formatTime(f.at, timeLocale) + ': '));
    li.appendChild(el('span', 'cm-text', String(f.text || '')));
    node.log.appendChild(li);
  }
  alert('whisper', { chat: f.chat });
}

onFrame('whisper', showWhisper);

onFrame('assigned', (f) => {
  const panel = panelOf(f.chat);
  if (panel) { panelWhispers(panel, f.chat); }
  render();
});

onFrame('released', (f) => { watched.delete(f.chat); render(); });

onFrame('chats', (f) => {
  S.items = Array.isArray(f.items) ? f.items : [];
  S.at = Date.now();
  render();
});

onFrame('escalation', (f) => {
  const box = section();
  if (!box) { return; }
  const li = el('li', 'sup-alert level-' + String(f.level));
  li.setAttribute('data-chat', String(f.chat));
  li.setAttribute('role', 'alert');
  li.appendChild(el('strong', null, levelText(f.level) + ': '));
  li.appendChild(el('span', null, String(f.counsellor || '') + ' ' +
    t('supervision.escalates', 'larmar i') + ' ' + t('supervision.chat', 'chatt') + ' ' + shortId(f.chat) +
    ' (' + formatTime(f.at, timeLocale) + ')'));
  const watch = el('button', 'btn btn-small sup-watch', t('supervision.watch', 'Läs med'));
  watch.type = 'button';
  const close = el('button', 'btn btn-small sup-alert-close', t('supervision.dismiss', 'Uppfattat'));
  close.type = 'button';
  li.appendChild(watch);
  li.appendChild(close);
  $('sup-alerts').appendChild(li);
  alert('escalation', { chat: f.chat, level: f.level });
});

window.setInterval(() => {
  if (!S.items.length) { return; }
  const elapsed = Math.floor((Date.now() - S.at) / 1000);
  S.items.forEach((it) => {
    const node = S.nodes[it.chat];
    const age = node && node.facts.querySelector('.sup-age');
    if (age) { age.textContent = minutes((it.started_s || 0) + elapsed); }
  });
}, 15000);

section();
