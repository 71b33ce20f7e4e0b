/*
 * Canned replies from the server (GET /api/canned), kept by supervisors at /admin/canned.
 * fillCanned(select, lang) fills a chat's "Infoga fras" list: the visitor's language first
 * (an optgroup per language), then the rest. "{name}" becomes the counsellor's name.
 * The list is fetched once per page; a failed fetch leaves the placeholder only.
 */
import { t } from './i18n.js';
import { languageName } from './page_config.js';

const TITLE_SHOWN = 60;
let loading = null;

function load() {
  if (!loading) {
    loading = window.fetch('/api/canned', {
      cache: 'no-store', credentials: 'same-origin', redirect: 'error', headers: { Accept: 'application/json' }
    }).then((resp) => {
      if (!resp.ok) { throw new Error('http ' + resp.status); }
      return resp.json();
    }).then((data) => data.replies || []).catch(() => { loading = null; return []; });
  }
  return loading;
}

function staffName() { return document.body.getAttribute('data-staff-name') || ''; }

function withName(text) { return text.split('{name}').join(staffName()); }

export function fillCanned(select, lang) {
  if (!select) { return Promise.resolve(); }
  const wanted = lang || '';
  if (select.getAttribute('data-canned-lang') === wanted && select.options.length > 1) { return Promise.resolve(); }
  select.setAttribute('data-canned-lang', wanted);
  return load().then((replies) => {
    if (select.getAttribute('data-canned-lang') !== wanted) { return; }
    while (select.options.length > 1) { select.remove(1); }
    Array.from(select.querySelectorAll('optgroup')).forEach((g) => g.remove());
    const groups = [];
    replies.forEach((reply) => {
      let group = groups.find((g) => g.lang === reply.lang);
      if (!group) { group = { lang: reply.lang, items: [] }; groups.push(group); }
      group.items.push(reply);
    });
    groups.sort((a, b) => (a.lang === wanted ? 0 : 1) - (b.lang === wanted ? 0 : 1));
    groups.forEach((group) => {
      const node = document.createElement('optgroup');
      const name = languageName(group.lang);
      node.label = group.lang === wanted ? t('canned.visitorLang', 'Besökarens språk') + ': ' + name : name;
      node.setAttribute('data-lang', group.lang);
      group.items.forEach((reply) => {
        const text = withName(reply.text);
        const opt = document.createElement('option');
        opt.value = text;
        opt.textContent = reply.title.length > TITLE_SHOWN ? reply.title.slice(0, TITLE_SHOWN - 1) + '…' : reply.title;
        opt.title = text;
        opt.lang = reply.lang;
        opt.setAttribute('data-reply', reply.id);
        node.appendChild(opt);
      });
      select.appendChild(node);
    });
  });
}
