/* Referral cards, in the chat and in "open now" when chat is closed or full. */
(function (F, C) {
  'use strict';
  var S = F.S, t = F.t, $ = C.$, show = C.show, el = C.el, clear = C.clear;

  function onReferral(f) {
    var item = el('li', 'msg msg-referral');
    item.appendChild(renderCard(f.card || {}, t('referralHeading')));
    $('messages').appendChild(item);
    F.scrollToEnd(item);
    F.announce(t('referralHeading') + ': ' + String((f.card || {}).name || ''));
  }

  function renderCard(card, label) {
    var box = el('div', 'referral');
    if (label) { box.appendChild(el('p', 'referral-label', label)); }
    box.appendChild(el('h3', 'referral-name', String(card.name || '')));
    if (card.helps_with) { box.appendChild(el('p', 'referral-helps', String(card.helps_with))); }
    var list = el('ul', 'referral-contact');
    (Array.isArray(card.contact) ? card.contact : []).forEach(function (c) {
      if (!c || typeof c.value !== 'string') { return; }
      var li = el('li', 'contact-' + String(c.kind || 'other'));
      var value = c.value;
      if (c.kind === 'phone') {
        var tel = el('a', null, value);
        tel.href = 'tel:' + value.replace(/[^\d+]/g, '');
        li.appendChild(tel);
      } else if (c.kind === 'web' && /^https?:\/\//i.test(value)) {
        var web = el('a', null, value);
        web.href = value;
        web.target = '_blank';
        web.rel = 'noreferrer noopener';
        li.appendChild(web);
      } else if (c.kind === 'email' && /^[^\s@]+@[^\s@]+$/.test(value)) {
        var mail = el('a', null, value);
        mail.href = 'mailto:' + value;
        li.appendChild(mail);
      } else {
        li.appendChild(el('span', null, value));
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    return box;
  }

  function wantsOpenHelp() {
    var view = S.view || 'start';
    return view === 'unavailable' || (view === 'start' && !!S.status && S.status.open === false);
  }

  function renderOpenHelp() {
    var box = $('open-help');
    if (!box) { return; }
    var wants = wantsOpenHelp();
    show(box, wants);
    if (!wants) { return; }
    var kommun = $('kommun') ? $('kommun').value : '';
    var key = /^\d{4}$/.test(kommun) ? kommun : '';
    if (S.openHelpKey === key && Date.now() - (S.openHelpAt || 0) < F.STATUS_REFRESH_MS) { return; }
    S.openHelpKey = key;
    S.openHelpAt = Date.now();
    C.getJSON('/api/help/open' + (key ? '?kommun=' + encodeURIComponent(key) : '')).then(function (data) {
      var orgs = data && Array.isArray(data.orgs) ? data.orgs : [];
      var list = $('open-help-list');
      clear(list);
      orgs.forEach(function (card) {
        if (!card || typeof card.name !== 'string') { return; }
        var li = el('li', 'open-help-item');
        li.appendChild(renderCard(card, null));
        list.appendChild(li);
      });
      show($('open-help-empty'), list.children.length === 0);
    }).catch(function () {
      S.openHelpAt = 0;
      clear($('open-help-list'));
      show($('open-help-empty'), true);
    });
  }

  F.onReferral = onReferral;
  F.renderCard = renderCard;
  F.wantsOpenHelp = wantsOpenHelp;
  F.renderOpenHelp = renderOpenHelp;
}(window.FristadVisit, window.FristadCommon));
