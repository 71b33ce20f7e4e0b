/* The optional follow-up survey after a chat. */
(function (F, C) {
  'use strict';
  var S = F.S, t = F.t, $ = C.$, show = C.show, el = C.el, clear = C.clear;

  function loadSurvey() {
    if (S.surveyLoaded) { show($('survey-form'), $('survey-questions').children.length > 0); return; }
    C.getJSON('/api/survey?lang=' + encodeURIComponent(S.lang)).then(function (data) {
      if (!data || !Array.isArray(data.questions) || !data.questions.length) { return; }
      renderSurvey(data.questions);
      S.surveyLoaded = true;
      if (S.phase === 'ended') { show($('survey-form'), true); }
    }).catch(function () { /* optional */ });
  }

  var OPTION_KEYS = { yes: 'optYes', partly: 'optPartly', no: 'optNo', dont_know: 'optDontKnow' };

  function optionLabel(value) {
    return typeof value === 'string' && OPTION_KEYS[value] ? t(OPTION_KEYS[value]) : String(value);
  }

  function renderSurvey(questions) {
    var box = $('survey-questions');
    clear(box);
    questions.forEach(function (q, index) {
      if (!q || typeof q.key !== 'string') { return; }
      var name = 'q-' + index;
      if (q.kind === 'choice' || q.kind === 'scale') {
        var fs = el('fieldset', 'choices survey-q' + (q.kind === 'scale' ? ' is-scale' : ''));
        fs.setAttribute('data-key', q.key);
        fs.setAttribute('data-kind', q.kind);
        fs.appendChild(el('legend', null, String(q.label || q.key)));
        (Array.isArray(q.options) ? q.options : []).forEach(function (opt, j) {
          var value = opt !== null && typeof opt === 'object' ? opt.value : opt;
          var text = opt !== null && typeof opt === 'object' ? (opt.label || opt.value) : optionLabel(opt);
          var label = el('label', 'choice');
          var input = document.createElement('input');
          input.type = 'radio';
          input.name = name;
          input.id = name + '-' + j;
          input.setAttribute('data-value', JSON.stringify(value));
          label.appendChild(input);
          label.appendChild(el('span', null, ' ' + String(text)));
          fs.appendChild(label);
        });
        box.appendChild(fs);
      } else {
        var wrap = el('div', 'field survey-q');
        wrap.setAttribute('data-key', q.key);
        wrap.setAttribute('data-kind', 'text');
        var lab = el('label', null, String(q.label || q.key));
        lab.htmlFor = name;
        var area = document.createElement('textarea');
        area.id = name;
        area.rows = 3;
        area.maxLength = F.MAX_SURVEY_TEXT_CHARS;
        area.setAttribute('autocomplete', 'off');
        area.setAttribute('spellcheck', 'false');
        area.setAttribute('autocapitalize', 'off');
        area.setAttribute('autocorrect', 'off');
        wrap.appendChild(lab);
        wrap.appendChild(area);
        box.appendChild(wrap);
      }
    });
  }

  function onSurveySubmit(event) {
    event.preventDefault();
    var answers = {};
    var qs = $('survey-questions').querySelectorAll('.survey-q');
    for (var i = 0; i < qs.length; i++) {
      var key = qs[i].getAttribute('data-key');
      if (qs[i].getAttribute('data-kind') === 'text') {
        var text = qs[i].querySelector('textarea').value.trim();
        if (text) { answers[key] = text; }
      } else {
        var picked = qs[i].querySelector('input:checked');
        if (picked) {
          try { answers[key] = JSON.parse(picked.getAttribute('data-value')); } catch (e) { /* skip */ }
        }
      }
    }
    show($('survey-error'), false);
    if (!F.sendFrame({ type: 'survey', answers: answers })) {
      surveyFailed();
      return;
    }
    S.surveySent = true;
    $('survey-send').disabled = true;
  }

  function onSurveyReceived() {
    S.surveySent = false;
    show($('survey-form'), false);
    show($('survey-thanks'), true);
  }

  function surveyFailed() {
    S.surveySent = false;
    $('survey-send').disabled = false;
    var node = $('survey-error');
    node.textContent = t('surveyFailed');
    show(node, true);
  }

  F.loadSurvey = loadSurvey;
  F.optionLabel = optionLabel;
  F.renderSurvey = renderSurvey;
  F.onSurveySubmit = onSurveySubmit;
  F.onSurveyReceived = onSurveyReceived;
  F.surveyFailed = surveyFailed;
}(window.FristadVisit, window.FristadCommon));
