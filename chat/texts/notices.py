"""Texts shown to visitors that the centre reviews as content (chat/content/)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

from chat.domain.languages import FALLBACK_LANG, LANGUAGE_CODES

REPORTING_DUTY_ID: Final = "reporting-duty"


def _notice_file(lang: str) -> resources.abc.Traversable:
    return resources.files("chat").joinpath(f"content/{REPORTING_DUTY_ID}.{lang}.txt")


@cache
def reporting_duty_text(lang: str) -> str:
    """The reporting-duty notice in ``lang``; in English for a language without one (issue
    12: an untranslated text falls back to English, never to nothing)."""
    chosen = lang if lang in LANGUAGE_CODES and _notice_file(lang).is_file() else FALLBACK_LANG
    return _notice_file(chosen).read_text(encoding="utf-8").strip()


def all_reporting_duty_texts() -> dict[str, str]:
    return {lang: reporting_duty_text(lang) for lang in LANGUAGE_CODES}
