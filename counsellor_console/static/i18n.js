// Console strings: the catalogue of the user's language, with the Swedish fallback given inline.
const catalogue = JSON.parse(document.getElementById("console-strings")?.textContent || "{}");
export function t(key, fallback) { return catalogue[key] ?? fallback; }
