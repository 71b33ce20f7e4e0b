"""The staff pages' catalogue (issue 12): every Swedish string of the templates and of the
Python that marks its words is in the template, and English translates every one."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS

from counsellor_console.domain.staff_language import (
    STAFF_DOMAIN,
    STAFF_LANGUAGES,
    STAFF_LOCALE_DIR,
    STAFF_SOURCE_LANG,
    SaidError,
    negotiate,
    said,
    script_strings,
    staff_catalogues,
    translator,
)
from tests.support.po import Entry, entries, extracted, read_catalogue

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = STAFF_LOCALE_DIR / f"{STAFF_DOMAIN}.pot"
#: As the Makefile passes them: N_ and said mark a Swedish text in Python; the scripts'
#: t(key, Swedish).
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "said": None, "t": ((1, "c"), 2), "tf": ((1, "c"), 2)}
LOGIN_FAILED = "Inloggningen misslyckades. Kontrollera uppgifterna och försök igen."


def _extracted() -> set[Entry]:
    return extracted(ROOT, "babel-staff.cfg", KEYWORDS)


def test_the_template_holds_every_string_of_the_staff_pages() -> None:
    extracted = _extracted()
    assert len(extracted) > 300  # positive control: the templates and scripts were read
    assert {(None, "Logga ut"), (None, "Samtalsstödjare"), (None, LOGIN_FAILED)} <= extracted
    assert ("alerts.sound_off", "Ljud: av") in extracted  # a script's word, by its key
    template = entries(read_catalogue(TEMPLATE))
    assert extracted - template == set(), "new strings: run `make i18n-extract i18n-update`"
    assert template - extracted == set(), "strings gone: run `make i18n-extract i18n-update`"


def test_english_translates_every_entry() -> None:
    english = read_catalogue(STAFF_LOCALE_DIR / "en" / "LC_MESSAGES" / f"{STAFF_DOMAIN}.po")
    assert entries(english) == entries(read_catalogue(TEMPLATE)), "run `make i18n-update`"
    gaps = [m.id for m in english if m.id and (not m.string or m.fuzzy)]
    assert gaps == []
    for message in english:
        if message.id:
            source, text = str(message.id), str(message.string)
            assert source.count("&lt;") == text.count("&lt;"), source
            assert sorted(re.findall(r"\{(\w+)\}", source)) == sorted(
                re.findall(r"\{(\w+)\}", text)
            ), source


def test_every_staff_language_reads() -> None:
    assert set(STAFF_LANGUAGES) == staff_catalogues().languages
    assert staff_catalogues().gettext("en", "Logga ut") == "Log out"
    assert staff_catalogues().gettext(STAFF_SOURCE_LANG, "Logga ut") == "Logga ut"
    assert staff_catalogues().gettext("en", "Ingen sådan text") == "Ingen sådan text"


def test_the_browsers_language_before_login() -> None:
    assert negotiate("") == "sv"
    assert negotiate("en-GB,en;q=0.9,sv;q=0.8") == "en"
    assert negotiate("sv-SE,sv;q=0.9,en;q=0.8") == "sv"
    assert negotiate("ar,en;q=0.5") == "en"
    assert negotiate("de, fr;q=0.9") == "sv"
    assert negotiate("en;q=0.2, sv;q=0.7") == "sv"
    assert negotiate("en;q=bad") == "sv"


def test_the_scripts_get_their_words_by_key() -> None:
    english = script_strings("en")
    assert english["alerts.sound_off"] == "Sound: off"
    assert english["colleagues.load"] == "{chats} of {limit} chats"
    assert script_strings(STAFF_SOURCE_LANG) == {}
    scripts = ROOT / "counsellor_console" / "static"
    keys = set()
    for script in scripts.glob("*.js"):
        keys |= set(re.findall(r"\btf?\('([\w.]+)',", script.read_text("utf-8")))
    assert len(keys) > 80
    assert keys - set(english) == set(), "a script's key without an English text"


def test_a_text_with_values_is_translated_before_they_go_in() -> None:
    limit = said("Antalet chattar är från 1 till {limit}.", limit=20)
    assert str(limit) == "Antalet chattar är från 1 till 20."
    assert translator("en")(limit) == "The number of chats is 1 to 20."
    assert translator("sv")(limit) == "Antalet chattar är från 1 till 20."
    # A value is put in as it is, never read as a placeholder of its own.
    taken = said("{username} finns redan.", username="{limit}")
    assert translator("en")(taken) == "{limit} exists already."
    assert str(SaidError(taken)) == "{limit} finns redan."
