/*
 * DOM helpers shared by the visitor's page and the console (one copy; they had drifted).
 * An ES module: the console imports it; the service carries it inline into the visitor's
 * page at start-up, turning each `export function` into a member of window.FristadCommon
 * (chat/web/visit_page.py). Keep to `export function NAME(` at the start of a line, no imports.
 */

export function $(id) { return document.getElementById(id); }

export function show(node, on) { if (node) { node.hidden = !on; } }

export function el(tag, cls, text) {
  var node = document.createElement(tag);
  if (cls) { node.className = cls; }
  if (text !== undefined && text !== null) { node.textContent = text; }
  return node;
}

export function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
