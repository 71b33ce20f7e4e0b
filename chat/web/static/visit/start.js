/* The start view: the form, the topics and professions, the open/closed status. */
(function (F, C) {
  'use strict';
  var S = F.S, t = F.t, $ = C.$, show = C.show, el = C.el;

  function fillSelect(select, items) {
    var keep = select.value;
    while (select.options.length > 1) { select.remove(1); }
    items.forEach(function (item) {
      var option = el('option', null, item.label);
      option.value = item.code;
      select.appendChild(option);
    });
    select.value = keep;
    if (select.value !== keep) { select.value = ''; }
  }

  function loadTopics() {
    var lang = S.lang;
    C.getJSON('/api/topics?lang=' + encodeURIComponent(lang)).then(function (data) {
      if (S.lang !== lang || !data || !Array.isArray(data.topics)) { return; }
      S.topics = data.topics;
      S.topicsLang = lang;
      fillSelect($('topic'), data.topics);
    }).catch(function () { /* the topic stays optional */ });
  }

  function loadProfessions() {
    var lang = S.lang;
    C.getJSON('/api/professions?lang=' + encodeURIComponent(lang)).then(function (data) {
      if (S.lang !== lang || !data || !Array.isArray(data.professions)) { return; }
      fillSelect($('profession'), data.professions);
    }).catch(function () { /* optional */ });
  }

  function loadStatus() {
    C.getJSON('/api/status').then(function (data) {
      S.status = data;
      renderOpenStatus();
    }).catch(function () {
      S.status = null;
      renderOpenStatus();
    });
  }

  // How many wait and how long a newcomer would wait, on the channel chosen (GET /api/status).
  function waitParts(st, channel) {
    var parts = [];
    var waiting = st.queue && typeof st.queue[channel] === 'number' ? st.queue[channel] : 0;
    if (waiting > 0) { parts.push(t('statusWaiting', { n: waiting })); }
    var byChannel = st.eta_s_by_channel || {};
    var eta = typeof byChannel[channel] === 'number' ? byChannel[channel]
      : (channel === 'youth' ? st.eta_s : null);
    if (typeof eta === 'number' && eta >= 0) { parts.push(F.etaText(eta)); }
    return parts;
  }

  function renderOpenStatus() {
    var node = $('open-status');
    if (!node) { return; }
    var st = S.status;
    if (!st) { node.textContent = ''; return; }
    var parts = [];
    if (st.open) {
      parts.push(t('statusOpen'));
      parts = parts.concat(waitParts(st, currentChannel()));
    } else {
      parts.push(t('statusClosed'));
      if (st.opens) {
        var when = F.formatWhen(st.opens);
        if (when) { parts.push(t('statusOpens', { when: when })); }
      }
    }
    node.textContent = parts.join(' ');
    node.classList.toggle('is-closed', !st.open);
    F.renderOpenHelp();
  }

  function currentChannel() {
    var checked = document.querySelector('input[name="channel"]:checked');
    return checked ? checked.value : 'youth';
  }

  function onChannelChange() {
    renderOpenStatus();
    var pro = currentChannel() === 'professional';
    show($('age-field'), !pro);
    show($('profession-field'), pro);
    show($('gender-field'), !pro);
    show($('age-error'), false);
  }

  function readStartForm() {
    var channel = currentChannel();
    var hello = { type: 'hello', v: 1, channel: channel, lang: S.lang };
    if (channel === 'professional') {
      // Professionals are adults consulting about someone else's case.
      hello.age = '18plus';
      var profession = $('profession').value;
      if (profession) { hello.profession = profession; }
    } else {
      var age = document.querySelector('input[name="age"]:checked');
      if (!age) { return null; }
      hello.age = age.value;
      var gender = $('gender').value;
      if (gender) { hello.gender = gender; }
    }
    var topic = $('topic').value;
    if (topic) { hello.topic = topic; }
    var kommun = $('kommun').value;
    if (/^\d{4}$/.test(kommun)) { hello.kommun = kommun; }
    var district = $('district') ? $('district').value : '';
    if (district && hello.kommun) { hello.district = district; }
    var code = $('return-code').value.trim();
    if (code) { hello.return_code = code; }
    return hello;
  }

  // Every municipality from the server (GET /api/municipalities), searchable by name in a
  // <datalist>; the hidden #kommun holds the code of the name typed or picked, and a city with
  // districts offers them (GET /api/districts).
  var KOMMUN_BY_NAME = {};

  function loadMunicipalities() {
    C.getJSON('/api/municipalities').then(function (data) {
      var list = $('kommun-list');
      (data && Array.isArray(data.municipalities) ? data.municipalities : []).forEach(function (m) {
        KOMMUN_BY_NAME[String(m.name).toLocaleLowerCase('sv')] = String(m.code);
        var opt = document.createElement('option');
        opt.value = String(m.name);
        if (list) { list.appendChild(opt); }
      });
      onKommunInput();
    }).catch(function () { /* the picker stays empty: kommun is optional */ });
  }

  function onKommunInput() {
    var typed = $('kommun-name') ? $('kommun-name').value.trim().toLocaleLowerCase('sv') : '';
    var code = KOMMUN_BY_NAME[typed] || '';
    if (code === $('kommun').value) { return; }
    $('kommun').value = code;
    loadDistricts(code);
    F.renderOpenHelp();
  }

  function loadDistricts(code) {
    var select = $('district');
    if (!select) { return; }
    while (select.options.length > 1) { select.remove(1); }
    select.value = '';
    show($('district-field'), false);
    if (!code) { return; }
    C.getJSON('/api/districts?kommun=' + encodeURIComponent(code)).then(function (data) {
      if ($('kommun').value !== code) { return; }
      var items = data && Array.isArray(data.districts) ? data.districts : [];
      items.forEach(function (d) {
        var opt = document.createElement('option');
        opt.value = String(d.code);
        opt.textContent = String(d.name);
        select.appendChild(opt);
      });
      show($('district-field'), items.length > 0);
    }).catch(function () { /* no districts offered: district is optional */ });
  }

  function onStartSubmit(event) {
    event.preventDefault();
    var hello = readStartForm();
    if (!hello) {
      show($('age-error'), true);
      var first = $('age-under18');
      if (first) { first.focus(); }
      return;
    }
    show($('age-error'), false);
    F.startChat(hello);
  }

  F.fillSelect = fillSelect;
  F.loadTopics = loadTopics;
  F.loadProfessions = loadProfessions;
  F.loadStatus = loadStatus;
  F.renderOpenStatus = renderOpenStatus;
  F.currentChannel = currentChannel;
  F.onChannelChange = onChannelChange;
  F.readStartForm = readStartForm;
  F.loadMunicipalities = loadMunicipalities;
  F.onKommunInput = onKommunInput;
  F.onStartSubmit = onStartSubmit;
}(window.FristadVisit, window.FristadCommon));
