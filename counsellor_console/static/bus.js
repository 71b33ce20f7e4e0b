/*
 * The console's frame bus: console.js hands every frame it receives to emitFrame (after its
 * own handling, so a chat's panel exists by then) and its send function to setSender; the
 * feature modules (supervision.js, safety.js, ...) listen with onFrame and send with send.
 *
 * Alerts: alert(kind, detail) shows nothing itself; it dispatches a `fristad:alert`
 * CustomEvent on window ({kind: 'urgent'|'escalation'|..., chat, ...}) for whatever wants to
 * sound, flash the title or count (the alerts module), and calls the onAlert listeners.
 */
const listeners = {};
const alertListeners = [];
let sender = null;

export function onFrame(type, fn) {
  (listeners[type] = listeners[type] || []).push(fn);
}

export function emitFrame(frame) {
  (listeners[frame.type] || []).forEach((fn) => {
    try { fn(frame); } catch (e) { /* one module's failure must not stop the others */ }
  });
}

export function setSender(fn) { sender = fn; }

export function send(frame) { return sender ? sender(frame) : false; }

export function onAlert(fn) { alertListeners.push(fn); }

export function alert(kind, detail) {
  const event = Object.assign({ kind: kind }, detail || {});
  alertListeners.forEach((fn) => { try { fn(event); } catch (e) { /* keep going */ } });
  window.dispatchEvent(new CustomEvent('fristad:alert', { detail: event }));
}

// Chats this console asked to watch (a supervisor reading along, not holding them).
export const watched = new Set();

export function role() { return document.body.getAttribute('data-staff-role') || ''; }

export function canSupervise() { return role() === 'supervisor' || role() === 'admin'; }

export function panelOf(chatId) {
  const panels = document.querySelectorAll('#chat-panels .chat-panel');
  for (let i = 0; i < panels.length; i++) {
    if (panels[i].getAttribute('data-chat') === chatId) { return panels[i]; }
  }
  return null;
}
