"""The language the console, /admin and the staff's other pages speak: Swedish or English,
chosen per colleague on their account page (issue 12).

The staff pages are written in Swedish, the centre's language; that Swedish is the source of a
gettext catalogue (domain ``staff``, ``counsellor_console/locale/<lang>/LC_MESSAGES/staff.po``),
made like the visitor's (chat/texts/catalogue.py) with ``make i18n-extract i18n-update
i18n-compile``. A page knows its colleague after login; before it (the login page, an
invitation) the browser's ``Accept-Language`` chooses. Python marks its words for the catalogue
with :func:`N_`, and a text with values in it (a limit, the refused value) with :func:`said`, so
the values go in after the translation.

The scripts ask for their words by key, with the Swedish beside it (``t('alerts.sound_off',
'Ljud: av')``, static/i18n.js); those entries have the key as their context, and a page gets
its colleague's translations of them as JSON in a data block (:func:`script_strings`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from typing_extensions import override  # typing.override from Python 3.12

from chat.core_api import Catalogues

STAFF_LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"
STAFF_DOMAIN: Final = "staff"
STAFF_SOURCE_LANG: Final = "sv"
#: The languages a colleague may choose, in the order the account page offers them.
STAFF_LANGUAGES: Final = ("sv", "en")
STAFF_LANGUAGE_NAMES: Final = {"sv": "Svenska", "en": "English"}


def N_(source: str) -> str:
    """Mark a Swedish text for the staff catalogue; it is translated where it is shown."""
    return source


@dataclass(frozen=True, slots=True)
class Said:
    """A Swedish text with values in it (a limit, the value refused), kept apart until it is
    shown: the catalogue holds the text with its ``{placeholders}``, translated first and
    filled after, so one entry serves every value. ``str()`` gives the Swedish."""

    source: str
    values: Mapping[str, object]

    @override
    def __str__(self) -> str:
        return self.source.format_map(self.values)


def said(source: str, **values: object) -> Said:
    """Mark a Swedish text with ``{placeholders}`` for the staff catalogue, as :func:`N_`."""
    return Said(source, values)


class SaidError(ValueError):
    """Input a form refuses, with the reason as a :class:`Said` for the colleague's page."""

    def __init__(self, reason: Said | str) -> None:
        self.said = reason if isinstance(reason, Said) else Said(reason, {})
        super().__init__(str(self.said))


@cache
def staff_catalogues() -> Catalogues:
    return Catalogues(STAFF_LOCALE_DIR, STAFF_DOMAIN, STAFF_SOURCE_LANG)


@cache
def script_strings(lang: str) -> dict[str, str]:
    """Key -> text of every scripts' entry the ``lang`` catalogue translates ({} for Swedish,
    whose words are in the scripts already): the entries with a key as their context."""
    return staff_catalogues().keyed(lang)


def negotiate(accept_language: str) -> str:
    """The staff language the browser prefers most, Swedish when it names neither."""
    best, best_q = STAFF_SOURCE_LANG, 0.0
    for part in accept_language.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in STAFF_LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        # Ties go to the earlier entry, as the browser listed them; q=0 is "not this one".
        if q > best_q:
            best, best_q = primary, q
    return best


def translator(lang: str) -> Callable[[str | Said], str]:
    """``lang``'s words for a marked text, or for a :class:`Said` with its values put in."""
    catalogues = staff_catalogues()

    def gettext(text: str | Said) -> str:
        if isinstance(text, Said):
            return catalogues.gettext(lang, text.source).format_map(text.values)
        return catalogues.gettext(lang, text)

    return gettext
