// Staff strings: the colleague's language (counsellor_console/domain/staff_language.py) as a data
// block, key -> text; the Swedish beside each key is the source and the fallback. A data block
// is not a script, so the CSP (no inline script on staff pages) is untouched.
const catalogue = JSON.parse(document.getElementById("console-strings")?.textContent || "{}");
// The locale of the page's times and dates: the colleague's language, written the way Sweden
// writes it in Swedish and the way Britain does in English (24-hour times either way).
export const timeLocale = document.documentElement.lang === 'en' ? 'en-GB' : 'sv-SE';
export function t(key, fallback) { return catalogue[key] ?? fallback; }
// As t, with {name}-style placeholders filled after translation, so a translation may put them
// where its language wants them.
export function tf(key, fallback, vars) {
  let text = t(key, fallback);
  for (const name of Object.keys(vars)) { text = text.split('{' + name + '}').join(String(vars[name])); }
  return text;
}
