"""No staff script hard-codes a server limit or a language list (issue 9): they come from the
page's data block (counsellor_console/web/page_config.py, read by static/page_config.js)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[3] / "counsellor_console" / "static"
SCRIPTS = sorted(STATIC.glob("*.js"))

#: A constant named for a limit given as a number: ``MAX_CHARS = 4000``.
_LIMIT_CONSTANT = re.compile(r"\b(?:var|let|const)\s+\w*(?:MAX|LIMIT)\w*\s*=\s*\d")
#: A map keyed by language codes: ``{ sv: 'svenska', en: ...`` or ``{"sv": ...``.
_LANGUAGE_MAP = re.compile(r"""[{,]\s*['"]?(?:sv|ar)['"]?\s*:""")
#: The service's limits written out as text in a message ("från 0 till 20").
_LIMIT_IN_TEXT = re.compile(
    r"""['"][^'"\n]*(?:\b(?:4000|2000) (?:tecken|characters)|\b(?:till|to) 20\b)[^'"\n]*['"]"""
)


def test_there_are_scripts_to_check() -> None:
    assert len(SCRIPTS) >= 10
    assert (STATIC / "page_config.js").exists()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_script_hard_codes_a_limit_or_language_list(script: Path) -> None:
    source = script.read_text(encoding="utf-8")
    assert not _LIMIT_CONSTANT.findall(source)
    assert not _LANGUAGE_MAP.findall(source)
    assert not _LIMIT_IN_TEXT.findall(source)


@pytest.mark.parametrize(
    "sample",
    [
        "const MAX_CHARS = 4000;",
        "var MAX_SUMMARY_CHARS = 2000;",
        "var LANG_NAMES = { sv: t('console.lang.sv', 'svenska'), en: 'x' };",
        "toast('En gräns är ett heltal från 0 till 20.')",
        "hint('högst 4000 tecken')",
    ],
)
def test_the_check_would_catch_what_was_there(sample: str) -> None:
    assert (
        _LIMIT_CONSTANT.search(sample)
        or _LANGUAGE_MAP.search(sample)
        or _LIMIT_IN_TEXT.search(sample)
    )
