"""Templates and the interface words around articles, in each language the bank serves.

The page title is the same neutral word on every page: a tab title shows on a shared
screen, so it never names what the reader is reading about. What the pages share with the
chat page (the quick exit's target and its script, carried inline so that no code-cache
entry names the site) comes from the composition root as a :class:`PageChrome`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import jinja2
from markupsafe import Markup
from starlette.responses import HTMLResponse

from kb.article import DEFAULT_LANG, RTL_LANGS
from kb.ui_catalogue import load_ui_words

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"
#: Where the quick exit goes when the service is not told (FRISTAD_EXIT_URL).
DEFAULT_EXIT_URL: Final = "https://www.smhi.se/"
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

UI: Final[dict[str, dict[str, str]]] = load_ui_words()

_ENV: Final = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class PageChrome:
    """What every visitor-side page of the bank carries besides its content.

    Attributes:
        exit_url: The quick exit's destination (the service's ``FRISTAD_EXIT_URL``).
        head_html: Inline ``<script>`` elements for the head, whose CSP hashes the service
            sends (the quick exit); trusted markup, built at start-up, never from a request.
    """

    exit_url: str = DEFAULT_EXIT_URL
    head_html: str = ""

    def render(
        self, template: str, lang: str, status_code: int = 200, **context: object
    ) -> HTMLResponse:
        """A full HTML page; never cached, never setting a cookie."""
        html = _ENV.get_template(template).render(
            lang=lang,
            dir="rtl" if lang in RTL_LANGS else "ltr",
            ui=ui_words(lang),
            lang_names=LANG_NAMES,
            exit_url=self.exit_url,
            head_scripts=Markup(self.head_html),  # noqa: S704 -- our files, read at start-up
            **context,
        )
        return HTMLResponse(html, status_code=status_code, headers=NO_STORE)


DEFAULT_CHROME: Final = PageChrome()


def ui_words(lang: str) -> dict[str, str]:
    """The interface words in `lang`, English where a word is missing or blank there; the
    site's default language for a language the bank does not serve."""
    own = UI.get(lang) or UI[DEFAULT_LANG]
    return {**UI[FALLBACK_LANG], **{k: v for k, v in own.items() if v and v.strip()}}


def render_page(
    template: str, lang: str, status_code: int = 200, **context: object
) -> HTMLResponse:
    """A full HTML page with the default chrome; never cached, never setting a cookie."""
    return DEFAULT_CHROME.render(template, lang, status_code, **context)
