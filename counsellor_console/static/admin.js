/*
 * Supervisor overview (/admin). Plain JS, no framework. Polls /api/admin/overview every 3 s
 * and draws its charts as SVG built with DOM calls (never innerHTML).
 * The queue-length history lives in this tab's memory only: 30 minutes, one sample per 5 s.
 */
(function () {
  'use strict';

  var POLL_MS = 3000;
  var SAMPLE_MS = 5000;
  var HISTORY_MS = 30 * 60 * 1000;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var SUPPRESSED = '<5';
  var SUPPRESSED_DRAWN_AS = 2.5;

  // The colleague's language (counsellor_console/domain/staff_language.py): key -> text, from the page's
  // data block; the Swedish beside each key is the source and the fallback (as static/i18n.js,
  // which this classic script cannot import).
  var STRINGS = JSON.parse((document.getElementById('console-strings') || {}).textContent || '{}');
  function t(key, fallback) { return Object.prototype.hasOwnProperty.call(STRINGS, key) ? STRINGS[key] : fallback; }
  function tf(key, fallback, vars) {
    var text = t(key, fallback);
    Object.keys(vars).forEach(function (name) { text = text.split('{' + name + '}').join(String(vars[name])); });
    return text;
  }

  var CHANNELS = ['youth', 'professional'];
  var AGES = { under18: t('console.age.under18', 'Under 18'), '18plus': '18+', unsaid: t('admin.age.unsaid', 'Ej angiven') };
  // Language names in the colleague's language, from the page's config block
  // (counsellor_console/web/page_config.py; as static/page_config.js, which this script cannot import).
  var CONFIG = JSON.parse((document.getElementById('page-config') || {}).textContent || '{}');
  var LANG_NAMES = CONFIG.language_names || {};
  var CHANNEL_NAMES = { youth: t('console.channel.youth', 'Unga'), professional: t('console.channel.professional', 'Yrkesverksamma') };
  var ROLE_NAMES = {
    counsellor: t('role.counsellor', 'Samtalsstödjare'), supervisor: t('role.supervisor', 'Handledare'),
    admin: t('role.admin', 'Administratör')
  };
  var LEFT_NAMES = { exit: t('admin.left.exit', 'Snabbutgångar'), timeout: t('admin.left.timeout', 'Tappad anslutning') };

  var latest = null;
  var samples = [];
  var stopped = false;

  function byId(id) { return document.getElementById(id); }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
    if (text !== undefined) { node.textContent = String(text); }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function duration(secs) {
    if (secs === null || secs === undefined) { return '–'; }
    if (secs < 60) { return secs + ' s'; }
    var mins = Math.floor(secs / 60);
    if (mins < 60) { return mins + ' min ' + (secs % 60) + ' s'; }
    return Math.floor(mins / 60) + ' h ' + (mins % 60) + ' min';
  }

  function setStatus(text, ok) {
    var status = byId('admin-status');
    status.textContent = text;
    status.className = 'c-conn ' + (ok ? 'is-ok' : 'is-bad');
  }

  // ---------------------------------------------------------------- queues and staff

  function renderQueues(data) {
    CHANNELS.forEach(function (channel) {
      var box = document.querySelector('[data-channel="' + channel + '"]');
      var queue = data.queues[channel] || { total: 0, oldest_wait_s: null, items: [] };
      box.querySelector('[data-field="total"]').textContent = String(queue.total);
      box.querySelector('[data-field="oldest"]').textContent = duration(queue.oldest_wait_s);
      var body = box.querySelector('[data-field="items"]');
      clear(body);
      queue.items.forEach(function (item) {
        var row = el('tr');
        var age = el('td', AGES[item.age] || item.age);
        if (item.age === 'under18') { age.className = 'a-young'; }
        row.appendChild(age);
        row.appendChild(el('td', LANG_NAMES[item.lang] || item.lang));
        var topic = item.topic ? (data.labels[item.topic] || item.topic) : '–';
        var topicCell = el('td', topic);
        if (item.over_cap) { topicCell.appendChild(el('span', t('admin.overcap', 'över taket'), 'tag tag-overcap')); }
        row.appendChild(topicCell);
        row.appendChild(el('td', duration(item.waited_s), 'a-right'));
        body.appendChild(row);
      });
      if (queue.total > queue.items.length) {
        var more = el('tr');
        var cell = el('td', tf('admin.and_more', 'och {n} till', { n: queue.total - queue.items.length }), 'hint');
        cell.setAttribute('colspan', '4');
        more.appendChild(cell);
        body.appendChild(more);
      }
    });
  }

  function renderStaff(data) {
    var list = byId('staff-list');
    clear(list);
    data.staff.forEach(function (person) {
      var row = el('tr');
      row.appendChild(el('td', person.name));
      row.appendChild(el('td', ROLE_NAMES[person.role] || person.role));
      row.appendChild(el('td', person.chats, 'a-right'));
      list.appendChild(row);
    });
    byId('staff-count').textContent = String(data.staff.length);
    byId('staff-empty').hidden = data.staff.length > 0;
  }

  // ---------------------------------------------------------------- charts

  function lineChart(container, points) {
    var width = 560;
    var height = 180;
    var pad = { left: 34, right: 10, top: 10, bottom: 24 };
    var now = Date.now();
    var max = 4;
    points.forEach(function (p) { CHANNELS.forEach(function (c) { max = Math.max(max, p[c]); }); });
    var plotW = width - pad.left - pad.right;
    var plotH = height - pad.top - pad.bottom;
    function x(t) { return pad.left + plotW * (1 - (now - t) / HISTORY_MS); }
    function y(v) { return pad.top + plotH * (1 - v / max); }
    var root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'a-svg' });
    [0, Math.round(max / 2), max].forEach(function (v) {
      root.appendChild(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: 'a-grid' }));
      root.appendChild(svg('text', { x: pad.left - 6, y: y(v) + 4, class: 'a-axis', 'text-anchor': 'end' }, v));
    });
    root.appendChild(svg('text', { x: pad.left, y: height - 6, class: 'a-axis' }, '−30 min'));
    root.appendChild(svg('text', { x: pad.left + plotW / 2, y: height - 6, class: 'a-axis', 'text-anchor': 'middle' }, '−15 min'));
    root.appendChild(svg('text', { x: width - pad.right, y: height - 6, class: 'a-axis', 'text-anchor': 'end' }, t('admin.now', 'nu')));
    CHANNELS.forEach(function (channel) {
      if (points.length === 0) { return; }
      var coords = points.map(function (p) { return x(p.t).toFixed(1) + ',' + y(p[channel]).toFixed(1); });
      if (points.length === 1) { coords.push((width - pad.right) + ',' + y(points[0][channel]).toFixed(1)); }
      root.appendChild(svg('polyline', { points: coords.join(' '), class: 'a-line a-line-' + channel }));
      var last = points[points.length - 1];
      root.appendChild(svg('circle', { cx: x(last.t).toFixed(1), cy: y(last[channel]).toFixed(1), r: 3.5, class: 'a-dot a-dot-' + channel }));
    });
    clear(container);
    container.appendChild(root);
  }

  function value(shown) { return shown === SUPPRESSED ? SUPPRESSED_DRAWN_AS : Number(shown); }

  function barChart(container, entries, emptyText) {
    clear(container);
    if (entries.length === 0) {
      container.appendChild(el('p', emptyText, 'hint'));
      return;
    }
    var width = 560;
    var rowH = 40;
    var height = entries.length * rowH + 4;
    var max = 5;
    entries.forEach(function (e) { max = Math.max(max, value(e.shown)); });
    var barSpace = width - 50;
    var root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'a-svg' });
    entries.forEach(function (entry, i) {
      var top = i * rowH + 2;
      var w = Math.max(2, barSpace * value(entry.shown) / max);
      root.appendChild(svg('text', { x: 0, y: top + 14, class: 'a-label' }, entry.label));
      var cls = entry.shown === SUPPRESSED ? 'a-bar a-bar-small' : 'a-bar';
      root.appendChild(svg('rect', { x: 0, y: top + 20, width: w.toFixed(1), height: 14, rx: 3, class: cls }));
      root.appendChild(svg('text', { x: w + 6, y: top + 32, class: 'a-value' }, entry.shown));
    });
    container.appendChild(root);
  }

  function waitChart(container, waits) {
    clear(container);
    if (waits.length === 0) { return; }
    var ordered = waits.slice().reverse();  // oldest left, newest right
    var width = 260;
    var height = 70;
    var max = Math.max.apply(null, ordered.concat([60]));
    var step = width / 30;
    var root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'a-svg', role: 'img' });
    root.appendChild(svg('title', {}, tf('admin.waits_title', 'Väntetider i sekunder, högst {max}', { max: max })));
    ordered.forEach(function (secs, i) {
      var h = Math.max(2, (height - 4) * secs / max);
      root.appendChild(svg('rect', { x: (i * step + 1).toFixed(1), y: (height - h).toFixed(1), width: (step - 2).toFixed(1), height: h.toFixed(1), class: 'a-bar' }));
    });
    container.appendChild(root);
  }

  function median(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
  }

  function renderWaits(data) {
    CHANNELS.forEach(function (channel) {
      var box = document.querySelector('[data-waits="' + channel + '"]');
      var waits = data.waits[channel] || [];
      box.querySelector('[data-field="summary"]').textContent = waits.length
        ? tf('admin.waits_summary', 'Median {median}, längst {longest} ({n} chattar)', { median: duration(median(waits)), longest: duration(Math.max.apply(null, waits)), n: waits.length })
        : t('admin.no_waits', 'Inga besvarade chattar den senaste timmen.');
      waitChart(box.querySelector('[data-field="chart"]'), waits);
    });
  }

  function entriesOf(counts, labels) {
    return Object.keys(counts || {}).map(function (code) {
      return { label: labels[code] || code, shown: counts[code] };
    }).sort(function (a, b) { return value(b.shown) - value(a.shown); });
  }

  function renderToday(data) {
    var today = data.today;
    var counts = today.counts;
    byId('today-date').textContent = today.date;
    var facts = byId('today-facts');
    clear(facts);
    function fact(name, shown) {
      var pair = el('div');
      pair.appendChild(el('dt', name));
      pair.appendChild(el('dd', shown || '0'));
      facts.appendChild(pair);
    }
    fact(t('admin.fact.contacts', 'Samtal'), (counts.contacts || {}).all);
    CHANNELS.forEach(function (c) { fact(CHANNEL_NAMES[c], (counts.contacts_channel || {})[c]); });
    Object.keys(LEFT_NAMES).forEach(function (how) { fact(LEFT_NAMES[how], (counts.visitor_left || {})[how]); });
    barChart(byId('topic-chart'), entriesOf(counts.contacts_topic, data.labels), t('admin.no_topics', 'Inga samtal ännu i dag.'));
    barChart(byId('reason-chart'), entriesOf(counts.end_reason, data.labels), t('admin.no_reasons', 'Inga avslutade samtal ännu i dag.'));
  }

  // ---------------------------------------------------------------- polling

  function sample() {
    if (!latest) { return; }
    var now = Date.now();
    var point = { t: now };
    CHANNELS.forEach(function (c) { point[c] = (latest.queues[c] || { total: 0 }).total; });
    samples.push(point);
    samples = samples.filter(function (p) { return now - p.t <= HISTORY_MS; });
    lineChart(byId('queue-chart'), samples);
  }

  function render(data) {
    renderQueues(data);
    renderStaff(data);
    renderWaits(data);
    renderToday(data);
  }

  function poll() {
    if (stopped) { return; }
    window.fetch('/api/admin/overview', {
      cache: 'no-store', credentials: 'same-origin', redirect: 'manual', headers: { Accept: 'application/json' }
    }).then(function (resp) {
      if (resp.status === 403 || resp.type === 'opaqueredirect') {
        stopped = true;
        setStatus(t('admin.logged_out', 'Du är inte inloggad längre. Logga in igen för att se översikten.'), false);
        return null;
      }
      if (!resp.ok) { throw new Error('status ' + resp.status); }
      return resp.json();
    }).then(function (data) {
      if (!data) { return; }
      var first = latest === null;
      latest = data;
      render(data);
      if (first) { sample(); }
      setStatus(tf('admin.updated', 'Uppdaterad {time}', { time: new Date().toLocaleTimeString(document.documentElement.lang === 'en' ? 'en-GB' : 'sv-SE') }), true);
    }).catch(function () {
      setStatus(t('admin.fetch_failed', 'Kunde inte hämta läget. Försöker igen…'), false);
    }).then(function () {
      if (!stopped) { window.setTimeout(poll, POLL_MS); }
    });
  }

  function isoDay(d) {
    var m = String(d.getMonth() + 1);
    var day = String(d.getDate());
    return d.getFullYear() + '-' + (m.length < 2 ? '0' + m : m) + '-' + (day.length < 2 ? '0' + day : day);
  }

  function exportDefaults() {
    var now = new Date();
    var from = byId('export-from');
    var to = byId('export-to');
    if (!from.value) { from.value = isoDay(new Date(now.getFullYear(), now.getMonth(), 1)); }
    if (!to.value) { to.value = isoDay(now); }
  }

  document.addEventListener('DOMContentLoaded', function () {
    exportDefaults();
    lineChart(byId('queue-chart'), samples);
    window.setInterval(sample, SAMPLE_MS);
    poll();
  });
})();
