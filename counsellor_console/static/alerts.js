/*
 * Alerts that need no third party (issue 11): a sound the service ships, the tab's title, and
 * a clear sign in a chat's panel when the young person left, and how.
 *
 * console.js calls startAlerts() once; frames come from the frame bus (bus.js onFrame, after
 * console.js handled them) and other modules' alerts from bus.alert (safety.js: 'urgent';
 * supervision.js: 'escalation', 'whisper'). Everything else is read from the page console.js
 * draws (the tabs, their unread badges, the selected tab), so the two never disagree about
 * what is unread.
 *
 * Sound: the WAV files are fetched from /static/console/ (connect-src 'self') and played
 * through the Web Audio API, so the CSP needs no media-src. Browsers let a page make sound
 * only after a user gesture: the first click or key press unlocks it. The mute toggle lives
 * as long as the page does (nothing stored). Playback is counted on <body> (data-alert-*),
 * which is how the browser tests see a sound that a headless browser cannot let anyone hear.
 */
import { t } from './i18n.js';
import { onAlert, onFrame, panelOf } from './bus.js';

const SOUNDS = {
  chat: '/static/console/alert-chat.wav',
  urgent: '/static/console/alert-urgent.wav'
};
// Two alerts closer than this make one sound (a burst of frames is one event to a person).
const MIN_GAP_MS = 1000;

const A = {
  started: false,
  muted: false,
  ctx: null,
  raw: {},          // kind -> Promise<ArrayBuffer>, fetched at start
  buffers: {},      // kind -> AudioBuffer, decoded once audio is unlocked
  lastSoundAt: 0,
  lastKind: '',
  queueSeen: false,
  queueIds: new Set(),
  urgentIds: new Set(),
  queueItems: [],
  waiting: 0,
  baseTitle: '',
  muteBtn: null
};

function bump(name) {
  const body = document.body;
  body.setAttribute(name, String(Number(body.getAttribute(name) || '0') + 1));
}

// ---------------------------------------------------------------- sound
function unlock() {
  if (A.ctx) {
    if (A.ctx.state === 'suspended') { A.ctx.resume().catch(() => {}); }
    return;
  }
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) { return; }
  try { A.ctx = new Ctx(); } catch (e) { return; }
  document.body.setAttribute('data-alert-audio', 'unlocked');
  Object.keys(SOUNDS).forEach((kind) => {
    A.raw[kind].then((data) => A.ctx.decodeAudioData(data.slice(0))).then((buffer) => {
      A.buffers[kind] = buffer;
    }).catch(() => { /* no sound, the title still counts */ });
  });
}

/**
 * Raise an alert: play the chat or the urgent sound, unless muted, locked, or right after
 * another of the same or a louder kind (then it counts as merged).
 */
export function playAlert(kind) {
  if (A.muted) { return; }
  bump('data-alert-sounds');
  document.body.setAttribute('data-alert-last', kind);
  const now = Date.now();
  const upgrade = kind === 'urgent' && A.lastKind !== 'urgent';
  if (now - A.lastSoundAt < MIN_GAP_MS && !upgrade) { bump('data-alert-merged'); return; }
  A.lastSoundAt = now;
  A.lastKind = kind;
  const buffer = A.buffers[kind];
  if (!A.ctx || !buffer) { bump('data-alert-blocked'); return; }
  try {
    const source = A.ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(A.ctx.destination);
    source.start();
    bump('data-alert-played');
  } catch (e) {
    bump('data-alert-blocked');
  }
}

export function isMuted() { return A.muted; }

export function setMuted(on) {
  A.muted = !!on;
  const btn = A.muteBtn;
  if (btn) {
    btn.setAttribute('aria-pressed', A.muted ? 'true' : 'false');
    btn.textContent = A.muted ? t('alerts.sound_off', 'Ljud: av') : t('alerts.sound_on', 'Ljud: på');
  }
  document.body.setAttribute('data-alert-muted', A.muted ? 'true' : 'false');
}

// ---------------------------------------------------------------- what is open and unread
function activeChatId() {
  const tab = document.querySelector('#chat-tabs .c-tab[aria-selected="true"]');
  return tab ? tab.getAttribute('data-chat') : null;
}

function unreadTotal() {
  let sum = 0;
  document.querySelectorAll('#chat-tabs .c-tab-unread').forEach((badge) => {
    const n = parseInt(badge.textContent || '0', 10);
    if (n > 0) { sum += n; }
  });
  return sum;
}

/** "(N) " before the page's own title: waiting chats plus unread messages; none: as it was. */
export function updateTitle() {
  if (!A.started) { return; }
  const n = A.waiting + unreadTotal();
  const want = n > 0 ? '(' + n + ') ' + A.baseTitle : A.baseTitle;
  if (document.title !== want) { document.title = want; }
}

/** The last queue frame's items (the shortcuts accept from these). */
export function queueItems() { return A.queueItems.slice(); }

// ---------------------------------------------------------------- frames
function onQueue(f) {
  const items = Array.isArray(f.items) ? f.items.filter((it) => it && typeof it.chat === 'string') : [];
  const total = f.total || {};
  let waiting = 0;
  Object.keys(total).forEach((ch) => { if (typeof total[ch] === 'number') { waiting += total[ch]; } });
  const ids = new Set(items.map((it) => it.chat));
  const urgent = new Set(items.filter((it) => it.urgent === true).map((it) => it.chat));
  if (A.queueSeen) {
    const newUrgent = [...urgent].some((id) => !A.urgentIds.has(id));
    const newChat = [...ids].some((id) => !A.queueIds.has(id)) || waiting > A.waiting;
    if (newUrgent) { playAlert('urgent'); } else if (newChat) { playAlert('chat'); }
  }
  A.queueSeen = true;
  A.queueIds = ids;
  A.urgentIds = urgent;
  A.queueItems = items;
  A.waiting = waiting;
}

function onMsg(f) {
  if (f.from !== 'visitor' || typeof f.chat !== 'string') { return; }
  if (document.hidden || activeChatId() !== f.chat) { playAlert('chat'); }
}

const LEFT = {
  end: t('alerts.left.end', 'Den unga avslutade chatten.'),
  exit: t('alerts.left.exit', 'Den unga använde snabbutgången – hen kan ha blivit störd.'),
  timeout: t('alerts.left.timeout', 'Den unga tappade anslutningen och kom inte tillbaka.')
};

/** The sign above the message field, saying who left and how, and why the field is off. */
function onVisitorLeft(f) {
  const panel = panelOf(f.chat);
  if (!panel) { return; }
  const how = LEFT[f.how] ? f.how : 'end';
  const input = panel.querySelector('.cp-input');
  let sign = panel.querySelector('.cp-left-sign');
  if (!sign) {
    sign = document.createElement('div');
    sign.className = 'cp-left-sign';
    sign.setAttribute('role', 'status');
    sign.id = (input && input.id ? input.id : 'cp-input-' + f.chat) + '-left';
    sign.appendChild(document.createElement('strong')).className = 'cp-left-how';
    sign.appendChild(document.createElement('span')).className = 'cp-left-why';
    const form = panel.querySelector('.cp-form');
    if (form && form.parentNode) { form.parentNode.insertBefore(sign, form); } else { panel.appendChild(sign); }
  }
  sign.setAttribute('data-how', how);
  sign.hidden = false;
  sign.querySelector('.cp-left-how').textContent = LEFT[how];
  sign.querySelector('.cp-left-why').textContent = ' ' + t('alerts.left.input',
    'Du kan inte skriva fler meddelanden i den här chatten. Fyll i orsakerna och en sammanfattning nedan innan du stänger den.');
  panel.setAttribute('data-visitor-left', how);
  if (input) {
    input.disabled = true;
    input.setAttribute('aria-describedby', sign.id);
    if (!input.hasAttribute('data-placeholder')) { input.setAttribute('data-placeholder', input.placeholder || ''); }
    input.placeholder = t('alerts.left.placeholder', 'Den unga har lämnat chatten.');
  }
  if (document.hidden || activeChatId() !== f.chat) { playAlert('chat'); }
}

function onAssigned(f) {
  // The chat is (again) ours and open: no leaving sign from before.
  const panel = panelOf(f.chat);
  if (!panel) { return; }
  const sign = panel.querySelector('.cp-left-sign');
  if (sign) { sign.hidden = true; }
  panel.removeAttribute('data-visitor-left');
  const input = panel.querySelector('.cp-input');
  if (input && input.hasAttribute('data-placeholder')) {
    input.removeAttribute('aria-describedby');
    input.placeholder = input.getAttribute('data-placeholder') || '';
    input.removeAttribute('data-placeholder');
  }
}

/** Every frame the alerts read, after console.js handled it (the bus calls it). */
export function alertFrame(f) {
  if (!A.started || !f) { return; }
  switch (f.type) {
    case 'queue': onQueue(f); break;
    case 'msg': onMsg(f); break;
    case 'visitor_left': onVisitorLeft(f); break;
    case 'assigned': onAssigned(f); break;
    default: break;
  }
  updateTitle();
}

// ---------------------------------------------------------------- start
function addMuteButton() {
  const where = document.querySelector('.c-me');
  if (!where) { return; }
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.id = 'alerts-mute';
  btn.className = 'btn btn-small c-mute';
  btn.setAttribute('aria-keyshortcuts', 'Alt+M');
  btn.title = t('alerts.mute_hint', 'Ljud för nya chattar och meddelanden (Alt+M)');
  btn.addEventListener('click', () => setMuted(!A.muted));
  where.insertBefore(btn, where.firstChild);
  A.muteBtn = btn;
}

export function startAlerts() {
  if (A.started) { return; }
  A.started = true;
  A.baseTitle = document.title;
  // Our own stylesheet, added here so the shared template needs no edit (style-src 'self').
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = '/static/console/alerts.css';
  document.head.appendChild(css);
  Object.keys(SOUNDS).forEach((kind) => {
    A.raw[kind] = window.fetch(SOUNDS[kind], { credentials: 'same-origin' }).then((resp) => {
      if (!resp.ok) { throw new Error('http ' + resp.status); }
      return resp.arrayBuffer();
    });
    A.raw[kind].catch(() => {});
  });
  addMuteButton();
  setMuted(false);
  ['queue', 'msg', 'visitor_left', 'assigned', 'ended', 'released', 'transferred_out'].forEach((type) => {
    onFrame(type, alertFrame);
  });
  onAlert((event) => {
    const kind = ALERT_SOUND[event && event.kind];
    if (kind) { playAlert(kind); }
  });
  ['pointerdown', 'keydown'].forEach((name) => document.addEventListener(name, unlock, true));
  document.addEventListener('visibilitychange', () => window.setTimeout(updateTitle, 0));
  const tabs = document.getElementById('chat-tabs');
  if (tabs && window.MutationObserver) {
    new MutationObserver(updateTitle).observe(tabs, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['hidden'] });
  }
  updateTitle();
}
