"""The language list (issue 12, protocol.md "Languages"): seven codes, their own names and
directions, and `hello.lang` accepting exactly those codes."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest

from chat.domain.languages import (
    FALLBACK_LANG,
    LANGUAGE_CODES,
    LANGUAGES,
    RTL_CODES,
    languages_json,
)
from chat.wire.inbound import FrameError, Hello
from chat.wire.parse import parse_visitor_frame

HELLO: dict[str, Any] = {"type": "hello", "v": 1, "channel": "youth", "age": "under18"}


def test_the_seven_languages_in_order() -> None:
    assert LANGUAGE_CODES == ("sv", "en", "ar", "fa", "so", "ckb", "ti")


def test_sv_en_ar_complete_the_others_awaiting_review() -> None:
    complete = {lang.code for lang in LANGUAGES if lang.complete}
    assert complete == {"sv", "en", "ar"}


def test_arabic_script_languages_are_right_to_left() -> None:
    assert {"ar", "fa", "ckb"} == RTL_CODES


def test_each_name_is_written_in_its_own_script() -> None:
    scripts = {lang.code: unicodedata.name(lang.name[0]).split()[0] for lang in LANGUAGES}
    assert scripts == {
        "sv": "LATIN",
        "en": "LATIN",
        "ar": "ARABIC",
        "fa": "ARABIC",
        "so": "LATIN",
        "ckb": "ARABIC",
        "ti": "ETHIOPIC",
    }


def test_api_shape_matches_protocol() -> None:
    body = languages_json()
    assert list(body) == ["languages"]
    first = body["languages"][0]
    assert first == {"code": "sv", "name": "Svenska", "dir": "ltr", "complete": True}
    for entry in body["languages"]:
        assert set(entry) == {"code", "name", "dir", "complete"}
        assert entry["dir"] in ("ltr", "rtl")
        assert isinstance(entry["complete"], bool)
        assert isinstance(entry["name"], str)
        assert entry["name"].strip()


def test_fallback_is_a_complete_language() -> None:
    assert next(lang for lang in LANGUAGES if lang.code == FALLBACK_LANG).complete


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_hello_accepts_every_listed_code(code: str) -> None:
    frame = parse_visitor_frame(json.dumps({**HELLO, "lang": code}))
    assert frame == Hello(channel="youth", lang=code, age="under18")


@pytest.mark.parametrize("code", ["fi", "de", "SV", "sv\n", " ti", "kmr", "", "ckb-IQ"])
def test_hello_refuses_an_unlisted_code(code: str) -> None:
    with pytest.raises(FrameError) as excinfo:
        parse_visitor_frame(json.dumps({**HELLO, "lang": code}))
    assert (excinfo.value.code, excinfo.value.field) == ("bad_field", "lang")
