// What the server's limits and languages are (counsellor_console/web/page_config.py), as the
// page's data block: no script here hard-codes a limit or a language list (issue 9), so a limit
// changed on the server reaches the counters and the checks at once. A data block is not a
// script, so the CSP (no inline script on staff pages) is untouched.
const config = JSON.parse(document.getElementById('page-config')?.textContent || '{}');
const names = config.language_names || {};

// The server's limits: message_chars, summary_chars, chat_limit_max. A page without the block
// checks nothing locally; the server still refuses what is too long.
export const limits = Object.freeze({
  message_chars: Infinity, summary_chars: Infinity, chat_limit_max: Infinity, ...(config.limits || {})
});
// The service's own languages, in its order: [{code, name, dir}], named in the colleague's language.
export const languages = Object.freeze(config.languages || []);
// A language code's name in the colleague's language ("persiska", "Persian"); the code if unknown.
export function languageName(code) { return names[code] || String(code || ''); }
// The direction a text in that language is written in, for dir= on what shows it.
export function languageDir(code) {
  const lang = languages.find((l) => l.code === code);
  return lang ? lang.dir : 'auto';
}
