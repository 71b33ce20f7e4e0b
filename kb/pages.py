"""Templates and the interface words around articles, in each language the bank serves.

The page title is the same neutral word on every page: a tab title shows on a shared
screen, so it never names what the reader is reading about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import jinja2
import yaml
from starlette.responses import HTMLResponse

from kb.article import DEFAULT_LANG, RTL_LANGS

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"
EXIT_URL: Final = "https://www.smhi.se/"
NO_STORE: Final = {"Cache-Control": "no-store"}

LANG_NAMES: Final = {
    "sv": "Svenska",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "so": "Soomaali",
    "ckb": "کوردی",
    "ti": "ትግርኛ",
}
FALLBACK_LANG: Final = "en"  # a word missing in a language shows in English, never empty

UI_FILE: Final = Path(__file__).resolve().parent / "ui.yaml"
UI: Final[dict[str, dict[str, str]]] = yaml.safe_load(UI_FILE.read_text(encoding="utf-8"))

_ENV: Final = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def ui_words(lang: str) -> dict[str, str]:
    """The interface words in `lang`, English where a word is missing or blank there; the
    site's default language for a language the bank does not serve."""
    own = UI.get(lang) or UI[DEFAULT_LANG]
    return {**UI[FALLBACK_LANG], **{k: v for k, v in own.items() if v and v.strip()}}


def render_page(
    template: str, lang: str, status_code: int = 200, **context: object
) -> HTMLResponse:
    """A full HTML page; never cached, never setting a cookie."""
    html = _ENV.get_template(template).render(
        lang=lang,
        dir="rtl" if lang in RTL_LANGS else "ltr",
        ui=ui_words(lang),
        lang_names=LANG_NAMES,
        exit_url=EXIT_URL,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=NO_STORE)
