"""What the staff pages' scripts must know of the server: its limits and its languages.

Issue 9: no script hard-codes a server limit or a language list. Every staff page carries this
as a data block (``<script type="application/json" id="page-config">``, _staff_head.html), put
there by the pages' context processor; a data block is not a script, so the staff pages' CSP is
untouched. The numbers are the chat's own constants, so a limit changed there reaches the
counters, the length checks and the limit form at once.

A language's name is written in the colleague's language, from CLDR through Babel (already the
catalogues' library), so a directory entry's ``de`` reads "tyska" or "German" without a list
here; Sorani is called by the name the centre uses, not CLDR's "Central Kurdish".
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from babel import Locale

from chat.core_api import (
    LANGUAGES,
    MAX_CHAT_LIMIT,
    MAX_SUMMARY_CHARS,
    MAX_TEXT_CHARS,
)

#: The names CLDR gives differently from how the centre and its young people say them.
_NAMES_WE_USE: Final = {"ckb": {"sv": "sorani", "en": "Sorani"}}


def language_name(code: str, in_lang: str) -> str:
    """``code``'s name in ``in_lang`` (sv or en): "persiska", "Persian"; the code if unknown."""
    ours = _NAMES_WE_USE.get(code, {}).get(in_lang)
    if ours is not None:
        return ours
    name = Locale.parse(in_lang).languages.get(code)
    return name if isinstance(name, str) else code


@cache
def page_config(in_lang: str) -> dict[str, Any]:
    """The data block of a staff page drawn in ``in_lang``."""
    return {
        "limits": {
            "message_chars": MAX_TEXT_CHARS,
            "summary_chars": MAX_SUMMARY_CHARS,
            "chat_limit_max": MAX_CHAT_LIMIT,
        },
        "languages": [
            {"code": lang.code, "name": language_name(lang.code, in_lang), "dir": lang.dir}
            for lang in LANGUAGES
        ],
        # Names for the codes a directory entry may carry beyond the service's own languages.
        "language_names": {
            code: name
            for code, name in Locale.parse(in_lang).languages.items()
            if isinstance(name, str) and len(code) == 2  # ISO 639-1, as the directory writes them
        }
        | {lang.code: language_name(lang.code, in_lang) for lang in LANGUAGES},
    }
