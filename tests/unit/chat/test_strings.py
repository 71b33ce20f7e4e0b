"""The visitor page's strings for the languages awaiting review (issue 12): each file has
only keys the page knows, no empty value, the English placeholders, and a review mark.

The reference is `chat/content/strings/en.json` once it exists; until then the `en` table
in `chat/static/visit.js`, read by its layout (one `key: value` per line, six spaces in).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from chat.languages import LANGUAGES

ROOT = Path(__file__).resolve().parents[3]
STRINGS = ROOT / "chat" / "content" / "strings"
VISIT_JS = ROOT / "chat" / "static" / "visit.js"
REVIEW_KEY = "_review"
TRANSLATED = [lang.code for lang in LANGUAGES if not lang.complete]
SCRIPTS = {"fa": "ARABIC", "ckb": "ARABIC", "ti": "ETHIOPIC"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_JS_ENTRY = re.compile(r"^ {6}(\w+): (.+?),?$")

Value = str | list[str]


def _english_from_visit_js() -> dict[str, str]:
    """The raw source text of each entry of the `en` table (enough for keys, kind and
    placeholders)."""
    lines = VISIT_JS.read_text(encoding="utf-8").splitlines()
    start = lines.index("    en: {")
    entries: dict[str, str] = {}
    for line in lines[start + 1 :]:
        if line.startswith("    }"):
            break
        match = _JS_ENTRY.match(line)
        if match:
            entries[match.group(1)] = match.group(2)
    return entries


def _reference() -> dict[str, str]:
    """Key -> the English value as source text (JSON-encoded when from en.json)."""
    en_json = STRINGS / "en.json"
    if en_json.is_file():
        table = json.loads(en_json.read_text(encoding="utf-8"))
        return {k: json.dumps(v, ensure_ascii=False) for k, v in table.items() if k != REVIEW_KEY}
    return _english_from_visit_js()


REFERENCE = _reference()


def _load(lang: str) -> dict[str, Value]:
    table = json.loads((STRINGS / f"{lang}.json").read_text(encoding="utf-8"))
    assert isinstance(table, dict)
    return table


def _texts(value: Value) -> list[str]:
    return value if isinstance(value, list) else [value]


def test_the_reference_is_the_whole_table() -> None:
    assert len(REFERENCE) > 100  # positive control: the extraction found the table
    assert {"quickExit", "noticeAck", "emergency", "coverSteps"} <= set(REFERENCE)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_only_known_keys_and_every_key_there(lang: str) -> None:
    table = _load(lang)
    assert set(table) - {REVIEW_KEY} - set(REFERENCE) == set(), "unknown keys"
    # Keys added to the page after these drafts show in English until translated.
    untranslated = {"districtLabel", "replaced"}
    assert set(REFERENCE) - set(table) - untranslated == set(), "missing keys"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_empty_value(lang: str) -> None:
    for key, value in _load(lang).items():
        texts = _texts(value)
        assert texts, key
        assert all(isinstance(t, str) and t.strip() for t in texts), key


@pytest.mark.parametrize("lang", TRANSLATED)
def test_marked_for_review_by_a_native_speaker(lang: str) -> None:
    note = _load(lang)[REVIEW_KEY]
    assert isinstance(note, str)
    assert "native speaker" in note
    assert "centre" in note


@pytest.mark.parametrize("lang", TRANSLATED)
def test_same_placeholders_and_kind_as_english(lang: str) -> None:
    for key, value in _load(lang).items():
        if key == REVIEW_KEY:
            continue
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
    letters = [
        ch
        for key, value in table.items()
        if key != REVIEW_KEY
        for ch in " ".join(_texts(value))
        if ch.isalpha()
    ]
    own = [ch for ch in letters if unicodedata.name(ch).startswith(SCRIPTS[lang])]
    assert len(own) > 0.95 * len(letters)  # the rest: Bris, Shift, Esc, incognito
