/*
 * Keyboard shortcuts of the counsellor console (issue 11), listed in a help dialog (`?`):
 *
 *   Alt+A  accept the chat that has waited longest (urgent chats first)
 *   Alt+N  the next chat with unread messages, or else the next chat
 *   Alt+E  end the chat in front: opens its end form, which asks for the reasons
 *   Alt+M  sound on/off
 *   ?      this list (not while typing in a field)
 *
 * Every shortcut with Alt works while typing too (it cannot be typed by accident); `?` alone
 * only outside text fields. They act by pressing the page's own buttons, so whatever
 * console.js does on a click (busy states, the reasons) happens the same way. Keys are read by
 * their position (event.code), so Alt+A also works where Alt+letter types a special character.
 */
import { t } from './i18n.js';
import { isMuted, queueItems, setMuted } from './alerts.js';

// Each row's words through t() here, where Babel's extractor sees them (make i18n-extract).
const LIST = [
  ['Alt+A', t('shortcuts.accept', 'Ta emot den som väntat längst (akuta först)')],
  ['Alt+N', t('shortcuts.next', 'Nästa chatt med olästa meddelanden, annars nästa chatt')],
  ['Alt+E', t('shortcuts.end', 'Avsluta chatten du har framför dig (frågar efter orsaker)')],
  ['Alt+M', t('shortcuts.mute', 'Ljud på eller av')],
  ['?', t('shortcuts.help', 'Visa kortkommandona')]
];

let live = null;
let dialog = null;

function announce(text) {
  if (!live) { return; }
  live.textContent = '';
  window.setTimeout(() => { live.textContent = text; }, 30);
}

function isTyping(target) {
  if (!target || !target.tagName) { return false; }
  if (target.isContentEditable) { return true; }
  const tag = target.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') { return true; }
  if (tag !== 'input') { return false; }
  const type = (target.getAttribute('type') || 'text').toLowerCase();
  return ['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].indexOf(type) < 0;
}

function acceptButton(chatId) {
  const btns = document.querySelectorAll('#queue-list .q-accept');
  for (let i = 0; i < btns.length; i++) {
    if (btns[i].getAttribute('data-chat') === chatId) { return btns[i]; }
  }
  return null;
}

/** The queue item Alt+A takes: urgent before others, then the longest wait, then queue order. */
export function pickToAccept(items) {
  let best = null;
  let bestIdx = -1;
  items.forEach((it, i) => {
    if (!it || typeof it.chat !== 'string') { return; }
    if (best === null) { best = it; bestIdx = i; return; }
    const u = it.urgent === true ? 1 : 0;
    const bu = best.urgent === true ? 1 : 0;
    const w = typeof it.waited_s === 'number' ? it.waited_s : 0;
    const bw = typeof best.waited_s === 'number' ? best.waited_s : 0;
    if (u > bu || (u === bu && w > bw)) { best = it; bestIdx = i; }
  });
  return bestIdx < 0 ? null : best;
}

function acceptOldest() {
  const items = queueItems().filter((it) => acceptButton(it.chat));
  const it = pickToAccept(items);
  const btn = it ? acceptButton(it.chat) : null;
  if (!btn) { announce(t('shortcuts.none_waiting', 'Ingen väntar i kön.')); return; }
  if (btn.disabled) { return; }
  btn.click();
  announce(t('shortcuts.accepting', 'Tar emot en chatt…'));
}

function tabs() { return Array.prototype.slice.call(document.querySelectorAll('#chat-tabs .c-tab')); }

function nextChat() {
  const all = tabs();
  if (!all.length) { announce(t('shortcuts.no_chats', 'Inga pågående chattar.')); return; }
  const at = all.findIndex((tab) => tab.getAttribute('aria-selected') === 'true');
  const order = all.slice(at + 1).concat(all.slice(0, at + 1));
  const target = order.find((tab) => tab.classList.contains('has-unread') && tab.getAttribute('aria-selected') !== 'true') ||
    order[0];
  target.click();
  const panel = document.getElementById(target.getAttribute('aria-controls') || '');
  const input = panel ? panel.querySelector('.cp-input') : null;
  if (input && !input.disabled) { input.focus(); } else { target.focus(); }
}

function endChat() {
  const panel = document.querySelector('#chat-panels .chat-panel:not([hidden])');
  const form = panel ? panel.querySelector('.cp-end') : null;
  if (!form) { announce(t('shortcuts.no_chat', 'Ingen chatt är vald.')); return; }
  form.open = true;
  const first = form.querySelector('.cp-reasons input') || form.querySelector('.cp-end-send');
  if (typeof form.scrollIntoView === 'function') { form.scrollIntoView({ block: 'nearest' }); }
  if (first) { first.focus(); }
  announce(t('shortcuts.ending', 'Välj orsaker och tryck på Avsluta.'));
}

function toggleMute() {
  setMuted(!isMuted());
  announce(isMuted() ? t('alerts.sound_off', 'Ljud: av') : t('alerts.sound_on', 'Ljud: på'));
}

function buildDialog() {
  const d = document.createElement('dialog');
  d.id = 'shortcuts-help';
  d.className = 'c-shortcuts';
  d.setAttribute('aria-labelledby', 'shortcuts-help-title');
  const h = document.createElement('h2');
  h.id = 'shortcuts-help-title';
  h.textContent = t('shortcuts.title', 'Kortkommandon');
  d.appendChild(h);
  const dl = document.createElement('dl');
  LIST.forEach(([keys, words]) => {
    const dt = document.createElement('dt');
    const kbd = document.createElement('kbd');
    kbd.textContent = keys;
    dt.appendChild(kbd);
    const dd = document.createElement('dd');
    dd.textContent = words;
    dl.appendChild(dt);
    dl.appendChild(dd);
  });
  d.appendChild(dl);
  const p = document.createElement('p');
  p.className = 'hint';
  p.textContent = t('shortcuts.typing', 'Kommandona med Alt fungerar också medan du skriver; ? bara utanför textfälten.');
  d.appendChild(p);
  const form = document.createElement('form');
  form.method = 'dialog';
  const close = document.createElement('button');
  close.type = 'submit';
  close.className = 'btn btn-small';
  close.textContent = t('shortcuts.close', 'Stäng');
  form.appendChild(close);
  d.appendChild(form);
  document.body.appendChild(d);
  return d;
}

export function openHelp() {
  if (!dialog) { dialog = buildDialog(); }
  if (dialog.open) { return; }
  if (typeof dialog.showModal === 'function') { dialog.showModal(); } else { dialog.setAttribute('open', ''); }
}

function onKeydown(e) {
  if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey) { return; }
  if (e.altKey && !e.shiftKey) {
    const act = { KeyA: acceptOldest, KeyN: nextChat, KeyE: endChat, KeyM: toggleMute }[e.code];
    if (!act) { return; }
    e.preventDefault();
    if (dialog && dialog.open) { dialog.close(); }
    act();
    return;
  }
  if (!e.altKey && e.key === '?' && !isTyping(e.target)) {
    e.preventDefault();
    openHelp();
  }
}

// aria-keyshortcuts on what each shortcut presses, kept up as console.js redraws.
function markKeys() {
  const items = queueItems().filter((it) => acceptButton(it.chat));
  const it = pickToAccept(items);
  document.querySelectorAll('#queue-list .q-accept').forEach((btn) => {
    if (it && btn.getAttribute('data-chat') === it.chat) {
      if (btn.getAttribute('aria-keyshortcuts') !== 'Alt+A') { btn.setAttribute('aria-keyshortcuts', 'Alt+A'); }
    } else if (btn.hasAttribute('aria-keyshortcuts')) {
      btn.removeAttribute('aria-keyshortcuts');
    }
  });
  document.querySelectorAll('#chat-tabs .c-tab:not([aria-keyshortcuts])').forEach((tab) => {
    tab.setAttribute('aria-keyshortcuts', 'Alt+N');
  });
  document.querySelectorAll('#chat-panels .cp-end > summary:not([aria-keyshortcuts])').forEach((s) => {
    s.setAttribute('aria-keyshortcuts', 'Alt+E');
  });
}

export function startShortcuts() {
  live = document.createElement('p');
  live.className = 'visually-hidden';
  live.id = 'shortcuts-live';
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  document.body.appendChild(live);
  const where = document.querySelector('.c-me');
  if (where) {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.id = 'shortcuts-open';
    btn.className = 'btn btn-small c-shortcuts-open';
    btn.setAttribute('aria-keyshortcuts', '?');
    btn.setAttribute('aria-haspopup', 'dialog');
    btn.textContent = t('shortcuts.button', 'Kortkommandon');
    btn.addEventListener('click', openHelp);
    where.insertBefore(btn, where.firstChild);
  }
  document.addEventListener('keydown', onKeydown);
  if (window.MutationObserver) {
    const watch = new MutationObserver(markKeys);
    ['queue-list', 'chat-tabs', 'chat-panels'].forEach((id) => {
      const node = document.getElementById(id);
      if (node) { watch.observe(node, { childList: true, subtree: true }); }
    });
  }
  markKeys();
}
