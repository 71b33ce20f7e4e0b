/*
 * The supervisor's floor on /admin (GET /api/admin/floor, polled every 5 s; the page never
 * reloads): each counsellor's load and time in chat today, and three bar charts drawn here as
 * SVG with DOM calls (no library, nothing from another host): today's waits per hour,
 * contacts per day over 30 days, reasons for contact over 30 days. Each chart has an
 * aria-label and a table with the same figures, for screen readers and for exact numbers.
 */
import { t, timeLocale } from './i18n.js';
import { $ as byId, clear, el as elWithClass } from '/static/common/dom.js';

/** This module's argument order (text before class), over the shared helper. */
const el = (tag, text, className) => elWithClass(tag, className, text);

const POLL_MS = 5000;
const SVG_NS = 'http://www.w3.org/2000/svg';
const SUPPRESSED = '<5';
const SUPPRESSED_DRAWN_AS = 2.5;
const ROLE_NAMES = {
  counsellor: t('role.counsellor', 'Samtalsstödjare'), supervisor: t('role.supervisor', 'Handledare'),
  admin: t('role.admin', 'Administratör')
};


function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach((name) => node.setAttribute(name, String(attrs[name])));
  if (text !== undefined) { node.textContent = String(text); }
  return node;
}


function duration(secs) {
  if (secs === null || secs === undefined) { return '–'; }
  if (secs < 60) { return secs + ' s'; }
  const mins = Math.floor(secs / 60);
  if (mins < 60) { return mins + ' min'; }
  return Math.floor(mins / 60) + ' h ' + (mins % 60) + ' min';
}

function numeric(shown) {
  if (shown === SUPPRESSED) { return SUPPRESSED_DRAWN_AS; }
  const n = Number(shown);
  return Number.isFinite(n) ? n : 0;
}

/*
 * Vertical bars, one per entry ({label, value, shown, tick}); `tick` labels the axis for
 * some bars only. The chart's text alternative is the aria-label plus the table beside it.
 */
function columnChart(container, entries, summary) {
  clear(container);
  const width = 600;
  const height = 170;
  const pad = { left: 36, right: 6, top: 10, bottom: 22 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(4, ...entries.map((e) => e.value));
  const step = plotW / Math.max(1, entries.length);
  const root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'a-svg', role: 'img', 'aria-label': summary });
  root.appendChild(svg('title', {}, summary));
  [0, max].forEach((v) => {
    const y = pad.top + plotH * (1 - v / max);
    root.appendChild(svg('line', { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: 'a-grid' }));
    root.appendChild(svg('text', { x: pad.left - 6, y: y + 4, class: 'a-axis', 'text-anchor': 'end' }, Math.round(v)));
  });
  entries.forEach((entry, i) => {
    const h = entry.value > 0 ? Math.max(2, plotH * entry.value / max) : 0;
    const x = pad.left + i * step + 1;
    const bar = svg('rect', {
      x: x.toFixed(1), y: (pad.top + plotH - h).toFixed(1), width: Math.max(1, step - 2).toFixed(1), height: h.toFixed(1),
      class: entry.shown === SUPPRESSED ? 'a-bar a-bar-small' : 'a-bar', 'data-bar': entry.label
    });
    bar.appendChild(svg('title', {}, entry.label + ': ' + entry.shown));
    root.appendChild(bar);
    if (entry.tick) {
      root.appendChild(svg('text', { x: (x + step / 2).toFixed(1), y: height - 6, class: 'a-axis', 'text-anchor': 'middle' }, entry.tick));
    }
  });
  container.appendChild(root);
}

function dataTable(container, caption, head, rows) {
  clear(container);
  const details = el('details', null, 'a-chart-table');
  details.appendChild(el('summary', t('admin.chart.table', 'Visa som tabell')));
  const table = el('table', null, 'a-table');
  table.appendChild(el('caption', caption));
  const thead = el('thead');
  const tr = el('tr');
  head.forEach((h) => { const th = el('th', h); th.scope = 'col'; tr.appendChild(th); });
  thead.appendChild(tr);
  table.appendChild(thead);
  const body = el('tbody');
  rows.forEach((cells) => {
    const row = el('tr');
    cells.forEach((c, i) => row.appendChild(el(i === 0 ? 'th' : 'td', c, i === 0 ? '' : 'a-right')));
    body.appendChild(row);
  });
  table.appendChild(body);
  details.appendChild(table);
  container.appendChild(details);
}

function renderCounsellors(rows) {
  const list = byId('floor-counsellors');
  clear(list);
  rows.forEach((person) => {
    const row = el('tr');
    row.setAttribute('data-user', person.username);
    row.appendChild(el('td', person.name));
    row.appendChild(el('td', ROLE_NAMES[person.role] || person.role));
    const load = el('td', person.chats + ' / ' + person.limit, 'a-right');
    if (person.chats >= person.limit) { load.classList.add('a-at-limit'); }
    row.appendChild(load);
    row.appendChild(el('td', duration(person.time_today_s), 'a-right'));
    row.appendChild(el('td', person.online ? t('admin.floor.online', 'inloggad') : t('admin.floor.offline', 'utloggad')));
    list.appendChild(row);
  });
  byId('floor-empty').hidden = rows.length > 0;
}

function clockTime(at) {
  const when = new Date(at);
  return Number.isNaN(when.getTime()) ? '' : when.toLocaleTimeString(timeLocale, { hour: '2-digit', minute: '2-digit' });
}

function renderDebriefs(rows) {
  const list = byId('floor-debriefs');
  if (!list) { return; }
  clear(list);
  (rows || []).forEach((ask) => {
    const item = el('li', null, 'a-debrief');
    const when = el('time', clockTime(ask.at));
    when.setAttribute('datetime', ask.at);
    item.appendChild(when);
    item.appendChild(document.createTextNode(' ' + ask.counsellor));
    list.appendChild(item);
  });
  byId('floor-debriefs-empty').hidden = (rows || []).length > 0;
}

function renderWaits(hours) {
  const entries = hours.map((h) => ({
    label: String(h.hour).padStart(2, '0') + ':00',
    value: h.mean_s || 0,
    shown: h.mean_s === null ? '–' : duration(h.mean_s),
    tick: h.hour % 3 === 0 ? String(h.hour).padStart(2, '0') : ''
  }));
  const busiest = hours.reduce((a, b) => ((b.mean_s || 0) > (a.mean_s || 0) ? b : a), hours[0]);
  const answered = hours.reduce((n, h) => n + h.chats, 0);
  const summary = t('admin.chart.waits', 'Medelväntetid per timme i dag') + ': ' + answered + ' ' +
    t('admin.chart.answered', 'besvarade') +
    (busiest && busiest.mean_s ? ', ' + t('admin.chart.longest', 'längst') + ' ' + duration(busiest.mean_s) + ' kl. ' + String(busiest.hour).padStart(2, '0') : '');
  columnChart(byId('chart-waits'), entries, summary);
  dataTable(byId('table-waits'), summary, [t('admin.chart.hour', 'Timme'), t('admin.chart.answeredCol', 'Besvarade'), t('admin.chart.meanWait', 'Medelväntetid')],
    hours.map((h) => [String(h.hour).padStart(2, '0') + ':00', String(h.chats), h.mean_s === null ? '–' : duration(h.mean_s)]));
}

function renderContacts(days) {
  const entries = days.map((d, i) => ({
    label: d.date, value: numeric(d.shown), shown: d.shown, tick: i % 7 === 0 || i === days.length - 1 ? d.date.slice(5) : ''
  }));
  const summary = t('admin.chart.contacts', 'Kontakter per dag, senaste 30 dagarna') + ': ' +
    days.map((d) => d.date.slice(5) + ' ' + d.shown).join(', ');
  columnChart(byId('chart-contacts'), entries, summary);
  dataTable(byId('table-contacts'), t('admin.chart.contacts', 'Kontakter per dag, senaste 30 dagarna'),
    [t('admin.chart.day', 'Dag'), t('admin.chart.count', 'Antal')], days.map((d) => [d.date, d.shown]));
}

function renderReasons(reasons) {
  const container = byId('chart-reasons');
  const caption = t('admin.chart.reasons', 'Skäl för kontakt, senaste 30 dagarna');
  if (reasons.length === 0) {
    clear(container);
    container.appendChild(el('p', t('admin.chart.noReasons', 'Inga kontakter de senaste 30 dagarna.'), 'hint'));
    clear(byId('table-reasons'));
    return;
  }
  const entries = reasons.map((r) => ({ label: r.label, value: numeric(r.shown), shown: r.shown, tick: '' }));
  const summary = caption + ': ' + reasons.map((r) => r.label + ' ' + r.shown).join(', ');
  // Horizontal bars: the labels are words, not ticks.
  clear(container);
  const width = 600;
  const rowH = 34;
  const max = Math.max(5, ...entries.map((e) => e.value));
  const root = svg('svg', { viewBox: '0 0 ' + width + ' ' + (entries.length * rowH + 4), class: 'a-svg', role: 'img', 'aria-label': summary });
  root.appendChild(svg('title', {}, summary));
  entries.forEach((entry, i) => {
    const top = i * rowH + 2;
    const w = Math.max(2, (width - 60) * entry.value / max);
    root.appendChild(svg('text', { x: 0, y: top + 12, class: 'a-label' }, entry.label));
    root.appendChild(svg('rect', { x: 0, y: top + 17, width: w.toFixed(1), height: 12, rx: 3, class: entry.shown === SUPPRESSED ? 'a-bar a-bar-small' : 'a-bar', 'data-bar': entry.label }));
    root.appendChild(svg('text', { x: w + 6, y: top + 28, class: 'a-value' }, entry.shown));
  });
  container.appendChild(root);
  dataTable(byId('table-reasons'), caption, [t('admin.chart.reason', 'Skäl'), t('admin.chart.count', 'Antal')], reasons.map((r) => [r.label, r.shown]));
}

let stopped = false;

function poll() {
  if (stopped) { return; }
  window.fetch('/api/admin/floor', {
    cache: 'no-store', credentials: 'same-origin', redirect: 'manual', headers: { Accept: 'application/json' }
  }).then((resp) => {
    if (resp.status === 403 || resp.type === 'opaqueredirect') { stopped = true; return null; }
    if (!resp.ok) { throw new Error('status ' + resp.status); }
    return resp.json();
  }).then((data) => {
    if (!data) { return; }
    renderCounsellors(data.counsellors);
    renderDebriefs(data.debriefs);
    renderWaits(data.waits_by_hour);
    renderContacts(data.contacts_by_day);
    renderReasons(data.reasons);
    document.body.setAttribute('data-floor-updated', String(Date.now()));
  }).catch(() => {}).then(() => {
    if (!stopped) { window.setTimeout(poll, POLL_MS); }
  });
}

poll();
