/*
 * Colleagues and limits (protocol.md, "Console, version 1.1"), the console's side:
 *  - the list of colleagues online with their load, limit and pause (the `staff` frame);
 *  - warm transfer by choosing a colleague from that list (a colleague at their limit is
 *    shown but cannot be chosen): every chat panel's `.cp-transfer-to` select;
 *  - "heavy chat / ask for debrief" (`heavy`), and one's own pause;
 *  - for supervisors: debrief requests (`debrief`) and each colleague's limit (`set_limit`);
 *  - the queue's match marker, and clear texts for `at_limit` and `paused`.
 * console.js passes its send and toast in initColleagues and forwards these frames.
 */
import { $, el, clear, show } from '/static/common/dom.js';
import { t, tf, timeLocale } from './i18n.js';
import { limits } from './page_config.js';

const MAX_LIMIT = limits.chat_limit_max;
const ROLE_NAMES = {
  counsellor: t('colleagues.role.counsellor', 'samtalsstödjare'), supervisor: t('colleagues.role.supervisor', 'arbetsledare'),
  admin: t('colleagues.role.admin', 'administratör')
};
const DEBRIEFS_KEPT = 20;

const state = {
  send: null,
  toast: null,
  online: [],
  pausedSince: 0,
  debriefs: []
};

function me() { return document.body.getAttribute('data-staff-username') || ''; }

function canSupervise() {
  const role = document.body.getAttribute('data-staff-role');
  return role === 'supervisor' || role === 'admin';
}

function atLimit(c) { return typeof c.limit === 'number' && c.chats >= c.limit; }

function loadText(c) {
  return t('colleagues.load', '{chats} av {limit} chattar')
    .replace('{chats}', String(c.chats)).replace('{limit}', String(c.limit));
}

function clock(ts) {
  const d = ts ? new Date(ts) : new Date();
  return isNaN(d.getTime()) ? '' : d.toLocaleTimeString(timeLocale, { hour: '2-digit', minute: '2-digit' });
}

export function initColleagues(options) {
  state.send = options.send;
  state.toast = options.toast;
  const panels = $('chat-panels');
  if (panels) {
    panels.addEventListener('click', (event) => {
      const btn = event.target.closest ? event.target.closest('.cp-heavy') : null;
      if (!btn || btn.disabled) { return; }
      const panel = btn.closest('.chat-panel');
      const chat = panel ? panel.getAttribute('data-chat') : null;
      if (chat && state.send({ type: 'heavy', chat: chat })) {
        btn.disabled = true;
        btn.textContent = t('heavy.sending', 'Skickar…');
      }
    });
  }
  const list = $('colleagues-list');
  if (list) {
    list.addEventListener('submit', (event) => {
      const form = event.target.closest ? event.target.closest('.col-limit-form') : null;
      if (!form) { return; }
      event.preventDefault();
      const input = form.querySelector('.col-limit');
      const limit = Number(input.value);
      if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) {
        state.toast(tf('colleagues.limit_range', 'En gräns är ett heltal från 0 till {max}.', { max: MAX_LIMIT }));
        return;
      }
      if (state.send({ type: 'set_limit', username: form.getAttribute('data-username'), limit: limit })) {
        input.setAttribute('data-sent', String(limit));
      }
    });
  }
  show($('debriefs'), canSupervise());
  renderDebriefs();
}

// ---------------------------------------------------------------- staff
export function onStaff(f) {
  state.online = Array.isArray(f.online) ? f.online.filter((c) => c && typeof c.username === 'string') : [];
  renderColleagues();
  renderOwnStatus();
  document.querySelectorAll('select.cp-transfer-to').forEach(fillTransferChoices);
}

function renderColleagues() {
  const list = $('colleagues-list');
  if (!list) { return; }
  // Keyed update in place: a limit field someone is typing in, or a focused button, stays.
  const rows = {};
  list.querySelectorAll('.col-item').forEach((li) => { rows[li.getAttribute('data-username')] = li; });
  const others = state.online.filter((c) => c.username !== me());
  others.forEach((c, i) => {
    const li = rows[c.username] || colleagueRow(c);
    delete rows[c.username];
    fillRow(li, c);
    if (list.children[i] !== li) { list.insertBefore(li, list.children[i] || null); }
  });
  Object.keys(rows).forEach((name) => rows[name].remove());
  $('colleagues-count').textContent = String(others.length);
  show($('colleagues-empty'), others.length === 0);
}

function colleagueRow(c) {
  const li = el('li', 'col-item');
  li.setAttribute('data-username', c.username);
  const top = el('div', 'col-top');
  top.appendChild(el('span', 'col-name'));
  top.appendChild(el('span', 'col-role'));
  li.appendChild(top);
  li.appendChild(el('div', 'col-facts'));
  if (canSupervise()) {
    const form = el('form', 'col-limit-form');
    form.setAttribute('data-username', c.username);
    form.noValidate = true;
    const label = el('label', 'col-limit-label', t('colleagues.limit', 'Gräns') + ' ');
    const input = document.createElement('input');
    input.type = 'number';
    input.min = '0';
    input.max = String(MAX_LIMIT);
    input.step = '1';
    input.className = 'col-limit';
    label.appendChild(input);
    form.appendChild(label);
    const btn = el('button', 'btn btn-small col-limit-save', t('colleagues.limit_save', 'Spara'));
    btn.type = 'submit';
    form.appendChild(btn);
    li.appendChild(form);
  }
  return li;
}

function fillRow(li, c) {
  const full = atLimit(c);
  li.classList.toggle('is-full', full);
  li.classList.toggle('is-paused', !!c.paused);
  li.querySelector('.col-name').textContent = c.name || c.username;
  li.querySelector('.col-role').textContent = ROLE_NAMES[c.role] || String(c.role || '');
  const facts = li.querySelector('.col-facts');
  clear(facts);
  facts.appendChild(el('span', 'tag col-load' + (full ? ' tag-warn' : ''), loadText(c)));
  if (full) { facts.appendChild(el('span', 'tag tag-warn col-full', t('colleagues.full', 'fullt'))); }
  if (c.paused) { facts.appendChild(el('span', 'tag col-paused', t('colleagues.paused', 'pausad'))); }
  if (Array.isArray(c.languages) && c.languages.length) {
    facts.appendChild(el('span', 'tag col-langs', c.languages.join(', ')));
  }
  const input = li.querySelector('.col-limit');
  if (input) {
    input.setAttribute('aria-label', t('colleagues.limit_for', 'Gräns för {name}').replace('{name}', c.name || c.username));
    if (document.activeElement !== input) { input.value = String(c.limit); }
  }
}

function renderOwnStatus() {
  const mine = state.online.find((c) => c.username === me());
  const node = $('my-status');
  if (!node || !mine) { return; }
  const parts = [loadText(mine)];
  if (mine.paused) { parts.push(t('colleagues.my_pause', 'Paus från nya chattar efter ett tungt samtal')); }
  node.textContent = parts.join(' · ');
  node.classList.toggle('is-paused', !!mine.paused);
  node.classList.toggle('is-full', atLimit(mine));
}

// ---------------------------------------------------------------- transfer
export function fillTransferChoices(select) {
  if (!select) { return; }
  const chosen = select.value;
  clear(select);
  const none = el('option', null, t('transfer.choose', 'Välj kollega…'));
  none.value = '';
  select.appendChild(none);
  state.online.filter((c) => c.username !== me()).forEach((c) => {
    let label = (c.name || c.username) + ' – ' + loadText(c);
    if (atLimit(c)) { label += ' (' + t('colleagues.full', 'fullt') + ')'; }
    if (c.paused) { label += ' (' + t('colleagues.paused', 'pausad') + ')'; }
    const opt = el('option', null, label);
    opt.value = c.username;
    opt.disabled = atLimit(c);
    select.appendChild(opt);
  });
  const still = Array.prototype.find.call(select.options, (o) => o.value === chosen && !o.disabled);
  select.value = still ? chosen : '';
  const form = select.closest('form');
  const btn = form ? form.querySelector('.cp-transfer-send') : null;
  if (btn) { btn.disabled = !select.value; }
  select.onchange = () => { if (btn) { btn.disabled = !select.value; } };
}

export function colleagueName(username) {
  const c = state.online.find((x) => x.username === username);
  return c ? (c.name || c.username) : username;
}

// ---------------------------------------------------------------- heavy and debrief
export function onHeavyNoted(f) {
  const panel = document.querySelector('.chat-panel[data-chat="' + CSS.escape(String(f.chat || '')) + '"]');
  const btn = panel ? panel.querySelector('.cp-heavy') : null;
  if (btn) {
    btn.disabled = true;
    btn.textContent = t('heavy.done', 'Avlastning begärd');
  }
  let text = t('heavy.noted', 'Arbetsledningen har fått din begäran om avlastningssamtal.');
  if (f.paused_s > 0) {
    const minutes = Math.max(1, Math.round(f.paused_s / 60));
    text += ' ' + t('heavy.paused', 'Du får inga nya chattar de närmaste {n} min.').replace('{n}', String(minutes));
  }
  state.toast(text);
}

export function onDebrief(f) {
  state.debriefs.unshift({ counsellor: String(f.counsellor || ''), at: f.at });
  state.debriefs = state.debriefs.slice(0, DEBRIEFS_KEPT);
  renderDebriefs();
  state.toast(t('debrief.toast', '{name} ber om ett avlastningssamtal.').replace('{name}', String(f.counsellor || '')));
}

function renderDebriefs() {
  const list = $('debrief-list');
  if (!list) { return; }
  clear(list);
  state.debriefs.forEach((d) => {
    const li = el('li', 'debrief-item');
    li.appendChild(el('span', 'debrief-name', d.counsellor));
    li.appendChild(el('span', 'debrief-time', clock(d.at)));
    list.appendChild(li);
  });
  $('debrief-count').textContent = String(state.debriefs.length);
  show($('debrief-empty'), state.debriefs.length === 0);
}

// ---------------------------------------------------------------- queue and errors
export function matchTag(item) {
  if (!item || item.match !== true) { return null; }
  const tag = el('span', 'tag tag-match', t('queue.match', 'Ditt språk'));
  tag.title = t('queue.match_title', 'Chatten är på ett språk du talar');
  return tag;
}

export function colleagueErrorText(f) {
  if (f.code === 'at_limit') {
    return t('error.at_limit', 'Gränsen är nådd: chatten kan inte tas emot just nu och ligger kvar i kön.');
  }
  if (f.code === 'paused') {
    return t('error.paused', 'Du har paus från nya chattar efter ett tungt samtal. Chatten ligger kvar i kön.');
  }
  return null;
}

export function transferRefusedText(f, to) {
  if (f.code === 'at_limit') {
    return t('transfer.at_limit', '{name} har redan så många chattar som gränsen tillåter. Chatten är kvar hos dig.')
      .replace('{name}', colleagueName(to));
  }
  if (f.code === 'bad_field') {
    return t('transfer.offline', '{name} är inte online längre. Chatten är kvar hos dig.').replace('{name}', colleagueName(to));
  }
  return t('transfer.refused', 'Överlämningen gick inte. Chatten är kvar hos dig.');
}
