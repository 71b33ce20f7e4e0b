/*
 * Safety in the counsellor's console (protocol.md, Console 1.1, Safety):
 * - urgent chats: their queue items are marked and (by the server's order) first; a new one
 *   raises a banner and an alert (bus.alert('urgent', ...): the alerts module adds sound);
 * - in each chat panel: escalate to the supervisors (concern / acute) and block (confirmed).
 */
import { $, el, show } from '/static/common/dom.js';
import { formatTime } from '/static/common/text.js';
import { alert, onFrame, panelOf, send, watched } from './bus.js';
import { t, timeLocale } from './i18n.js';

const alerted = {};

function shortId(id) { return String(id || '').slice(-6); }

function addLine(panel, cls, who, text) {
  const list = panel.querySelector('.cp-messages');
  if (!list) { return; }
  const li = el('li', 'cm ' + cls);
  li.appendChild(el('span', 'cm-who', who));
  li.appendChild(el('span', 'cm-time', formatTime(Date.now(), timeLocale)));
  li.appendChild(el('span', 'cm-text', text));
  list.appendChild(li);
}

// ------------------------------------------------------------------ urgent
function banner() {
  let node = $('urgent-banner');
  if (node) { return node; }
  node = el('div', 'c-urgent-banner');
  node.id = 'urgent-banner';
  node.setAttribute('role', 'alert');
  node.hidden = true;
  const text = el('p', 'c-urgent-text', '');
  const close = el('button', 'btn btn-small c-urgent-close', t('safety.dismiss', 'Uppfattat'));
  close.type = 'button';
  close.addEventListener('click', () => { show(node, false); });
  node.appendChild(text);
  node.appendChild(close);
  const pane = $('queue-pane');
  if (pane) { pane.insertBefore(node, pane.firstChild); }
  return node;
}

function raiseUrgent(chatId) {
  if (!chatId || alerted[chatId]) { return; }
  alerted[chatId] = true;
  const node = banner();
  node.querySelector('.c-urgent-text').textContent = t(
    'safety.urgentBanner',
    'En besökare säger att hen är i fara just nu. Chatten står först i kön.'
  ) + ' (' + t('safety.chat', 'Chatt') + ' ' + shortId(chatId) + ')';
  show(node, true);
  document.body.classList.add('has-urgent');
  alert('urgent', { chat: chatId });
}

onFrame('urgent', (f) => { raiseUrgent(f.chat); });

onFrame('queue', (f) => {
  const items = Array.isArray(f.items) ? f.items : [];
  let any = false;
  items.forEach((it) => {
    if (!it || typeof it.chat !== 'string') { return; }
    const li = document.querySelector('#queue-list li[data-chat="' + CSS.escape(it.chat) + '"]');
    if (!li) { return; }
    li.classList.toggle('is-urgent', !!it.urgent);
    const body = li.querySelector('.q-body');
    if (it.urgent) {
      any = true;
      if (body && !body.querySelector('.q-urgent')) {
        body.insertBefore(el('span', 'tag q-urgent', t('safety.urgentTag', 'I fara just nu')), body.firstChild);
      }
      raiseUrgent(it.chat);
    }
  });
  document.body.classList.toggle('has-urgent', any);
  if (!any) { show($('urgent-banner'), false); }
});

// ------------------------------------------------------------------ escalate and block
function controls(panel, chatId) {
  let box = panel.querySelector('.cp-safety');
  if (box) { return box; }
  box = el('section', 'cp-safety');
  box.appendChild(el('h4', null, t('safety.heading', 'Säkerhet')));
  const row = el('div', 'cp-row');
  const concern = el('button', 'btn btn-small cp-escalate', t('safety.concern', 'Oro: be arbetsledaren titta'));
  concern.type = 'button';
  concern.setAttribute('data-level', 'concern');
  const acute = el('button', 'btn btn-small btn-warn cp-escalate', t('safety.acute', 'Akut: larma arbetsledaren'));
  acute.type = 'button';
  acute.setAttribute('data-level', 'acute');
  row.appendChild(concern);
  row.appendChild(acute);
  box.appendChild(row);
  const status = el('p', 'hint cp-escalate-status', '');
  status.setAttribute('role', 'status');
  box.appendChild(status);

  const block = el('button', 'btn btn-small btn-danger cp-block', t('safety.block', 'Blockera chatten'));
  block.type = 'button';
  const confirm = el('div', 'cp-block-confirm');
  confirm.setAttribute('role', 'group');
  confirm.hidden = true;
  confirm.appendChild(el('p', null, t('safety.blockConfirm',
    'Blockera chatten? Den avslutas direkt, återanslutningen slutar fungera och inget om besökaren sparas.')));
  const yes = el('button', 'btn btn-small btn-danger cp-block-yes', t('safety.blockYes', 'Ja, blockera'));
  yes.type = 'button';
  const no = el('button', 'btn btn-small cp-block-no', t('safety.blockNo', 'Avbryt'));
  no.type = 'button';
  confirm.appendChild(yes);
  confirm.appendChild(no);
  box.appendChild(block);
  box.appendChild(confirm);

  box.addEventListener('click', (e) => {
    const btn = e.target.closest ? e.target.closest('button') : null;
    if (!btn || btn.disabled) { return; }
    if (btn.classList.contains('cp-escalate')) {
      if (send({ type: 'escalate', chat: chatId, level: btn.getAttribute('data-level') })) {
        status.textContent = t('safety.escalating', 'Larmar arbetsledarna…');
      }
    } else if (btn.classList.contains('cp-block')) {
      show(confirm, true);
      no.focus();
    } else if (btn === no) {
      show(confirm, false);
      block.focus();
    } else if (btn === yes) {
      if (send({ type: 'block', chat: chatId })) {
        show(confirm, false);
        block.disabled = true;
      }
    }
  });
  const end = panel.querySelector('.cp-end');
  if (end && end.parentNode) { end.parentNode.insertBefore(box, end); } else { panel.appendChild(box); }
  return box;
}

function disable(chatId) {
  const panel = panelOf(chatId);
  const box = panel && panel.querySelector('.cp-safety');
  if (!box) { return; }
  box.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  show(box.querySelector('.cp-block-confirm'), false);
}

onFrame('assigned', (f) => {
  const panel = panelOf(f.chat);
  if (!panel || watched.has(f.chat)) { return; }  // a supervisor reading along: not theirs
  const box = controls(panel, f.chat);
  box.querySelectorAll('button').forEach((b) => { b.disabled = false; });
});

onFrame('escalated', (f) => {
  const panel = panelOf(f.chat);
  const status = panel && panel.querySelector('.cp-escalate-status');
  if (!status) { return; }
  const level = f.level === 'acute' ? t('safety.levelAcute', 'akut') : t('safety.levelConcern', 'oro');
  status.textContent = t('safety.escalated', 'Arbetsledarna har larmats') + ' (' + level + '), ' +
    formatTime(f.at, timeLocale) + '.';
  panel.classList.toggle('is-escalated', true);
});

onFrame('ended', (f) => {
  disable(f.chat);
  if (f.reason === 'blocked') {
    const panel = panelOf(f.chat);
    if (panel) {
      addLine(panel, 'cm-system', t('safety.system', 'System'),
        t('safety.blocked', 'Chatten blockerades. Inget om besökaren sparas.'));
    }
  }
});
['visitor_left', 'released', 'transferred_out'].forEach((type) => {
  onFrame(type, (f) => { disable(f.chat); });
});
