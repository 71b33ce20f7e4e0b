"""The visitor page's strings for the languages awaiting review (issue 12): each catalogue
(chat/locale/<lang>/LC_MESSAGES/visitor.po) has only keys the page knows, no empty value, the
English placeholders, and a review mark. The reference is `chat/content/strings/en.json`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from chat.domain.languages import LANGUAGES
from chat.texts.catalogue import LOCALE_DIR, VISITOR_DOMAIN

ROOT = Path(__file__).resolve().parents[3]
STRINGS = ROOT / "chat" / "content" / "strings"
TRANSLATED = [lang.code for lang in LANGUAGES if not lang.complete]
SCRIPTS = {"fa": "ARABIC", "ckb": "ARABIC", "ti": "ETHIOPIC"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: Entries of the catalogue that are not the page's: the service's own lines (test_system_texts).
_NOT_THE_PAGE = re.compile(r"(system|referral)\.")

Value = str | list[str]


def _reference() -> dict[str, str]:
    """Key -> the English value as source text (JSON-encoded)."""
    table = json.loads((STRINGS / "en.json").read_text(encoding="utf-8"))
    return {k: json.dumps(v, ensure_ascii=False) for k, v in table.items() if not k.startswith("_")}


REFERENCE = _reference()


def _catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{VISITOR_DOMAIN}.po"


def _load(lang: str) -> dict[str, Value]:
    """The page's entries the catalogue translates: key -> translation."""
    with _catalogue_path(lang).open("rb") as handle:
        catalog = read_po(handle)
    return {
        str(message.context): str(message.string)
        for message in catalog
        if message.id and message.context and not _NOT_THE_PAGE.match(message.context)
        if message.string
    }


def _texts(value: Value) -> list[str]:
    return value if isinstance(value, list) else [value]


def test_the_reference_is_the_whole_table() -> None:
    assert len(REFERENCE) > 100  # positive control: the extraction found the table
    assert {"quickExit", "noticeAck", "emergency", "coverSteps"} <= set(REFERENCE)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_only_known_keys_and_every_key_there(lang: str) -> None:
    table = _load(lang)
    assert set(table) - set(REFERENCE) == set(), "unknown keys"
    assert set(REFERENCE) - set(table) == set(), "missing keys"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_empty_value(lang: str) -> None:
    for key, value in _load(lang).items():
        texts = _texts(value)
        assert texts, key
        assert all(isinstance(t, str) and t.strip() for t in texts), key


@pytest.mark.parametrize("lang", TRANSLATED)
def test_marked_for_review_by_a_native_speaker(lang: str) -> None:
    with _catalogue_path(lang).open("rb") as handle:
        note = read_po(handle).header_comment
    assert "native speaker" in note
    assert "centre" in note


@pytest.mark.parametrize("lang", TRANSLATED)
def test_same_placeholders_and_kind_as_english(lang: str) -> None:
    for key, value in _load(lang).items():
        english = REFERENCE[key]  # a list in en.json is kept as one text of lines
        found = sorted(_PLACEHOLDER.findall(" ".join(_texts(value))))
        assert found == sorted(_PLACEHOLDER.findall(english)), key


@pytest.mark.parametrize("lang", TRANSLATED)
def test_emergency_number_unchanged(lang: str) -> None:
    table = _load(lang)
    for key in ("emergency", "privacy3"):
        assert ("112" in _texts(table[key])[0]) == ("112" in REFERENCE[key]), key
    assert "Bris" in _texts(table["helpBris"])[0]
    assert "Kvinnofridslinjen" in _texts(table["helpKvinnofrid"])[0]


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_written_in_its_script(lang: str) -> None:
    table = _load(lang)
    letters = [ch for key, value in table.items() for ch in " ".join(_texts(value)) if ch.isalpha()]
    own = [ch for ch in letters if unicodedata.name(ch).startswith(SCRIPTS[lang])]
    assert len(own) > 0.95 * len(letters)  # the rest: Bris, Shift, Esc, incognito
