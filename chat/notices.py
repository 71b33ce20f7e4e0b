"""Texts shown to visitors that the centre reviews as content (chat/content/)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

from chat.topics import DEFAULT_LANG, LANGS

REPORTING_DUTY_ID: Final = "reporting-duty"


@cache
def reporting_duty_text(lang: str) -> str:
    """The reporting-duty notice in ``lang``, or in Swedish where no translation exists."""
    chosen = lang if lang in LANGS else DEFAULT_LANG
    path = resources.files("chat").joinpath(f"content/{REPORTING_DUTY_ID}.{chosen}.txt")
    return path.read_text(encoding="utf-8").strip()


def all_reporting_duty_texts() -> dict[str, str]:
    return {lang: reporting_duty_text(lang) for lang in LANGS}
