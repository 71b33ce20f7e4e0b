"""Which language a staff page is drawn in, and the words its templates get.

The pure half (the catalogue, :func:`negotiate`, :func:`translator`) is
counsellor_console/domain/staff_language.py; this half reads the request, so it lives with the
pages.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from counsellor_console.domain.staff_language import (
    STAFF_LANGUAGES,
    negotiate,
    script_strings,
    translator,
)
from counsellor_console.web.page_config import page_config


def request_lang(request: Request) -> str:
    """The colleague's own language once a staff page knows them, else the browser's."""
    chosen = getattr(request.state, "ui_lang", None)
    if isinstance(chosen, str) and chosen in STAFF_LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language", ""))


def staff_i18n(request: Request) -> dict[str, Any]:
    """Jinja2 context for every staff page: ``{% trans %}``, ``_()`` and the page's ``lang``."""
    lang = request_lang(request)
    gettext = translator(lang)

    def ngettext(singular: str, plural: str, n: int) -> str:
        # Swedish and English both have one form for 1 and one for the rest.
        return gettext(singular if n == 1 else plural)

    return {
        "ui_lang": lang,
        "gettext": gettext,
        "_": gettext,
        "ngettext": ngettext,
        "script_strings": script_strings(lang),
        "page_config": page_config(lang),
    }
