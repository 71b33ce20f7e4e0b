"""The visitor's page put together once, when the service starts: its scripts go inline.

A script loaded from a URL leaves an entry in Chromium's code cache naming the site, so the
chat page and the knowledge bank's pages carry their scripts inside the HTML (issue 8), each
allowed by its CSP hash (:mod:`security.inline`). The files stay small and separate on disk,
one per concern (issue 9), and nothing is built ahead of time:

- ``static/common/``: helpers shared with the staff pages, written as ES modules (the console
  imports them from ``/static/common/``). Here each becomes a classic script that puts its
  ``export function``s on ``window.FristadCommon``; nothing else of module syntax is allowed.
- ``static/visit/``: the chat page's scripts, classic, in :data:`VISIT_FILES` order.
- a data block (``#page-data``): the server's limits, the languages offered and the strings of
  the page's language only (:mod:`chat.texts.page_strings`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from chat.domain.returncode import MAX_CODE_INPUT_CHARS
from chat.texts.page_strings import DEFAULT_LANG, Language, PageStrings
from chat.wire.inbound import MAX_SURVEY_VALUE_CHARS, MAX_TEXT_CHARS
from security.inline import InlineScript, InlineScriptError, hashes_of, json_data_block

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
#: Scripts shared by the visitor's pages, the knowledge bank's and the staff pages.
COMMON_DIR: Final = STATIC_DIR / "common"
QUICK_EXIT_FILE: Final = COMMON_DIR / "quickexit.js"
#: The shared helpers the chat page uses, in the order they are carried.
COMMON_MODULES: Final = tuple(COMMON_DIR / name for name in ("dom.js", "text.js", "http.js"))
VISIT_DIR: Final = STATIC_DIR / "visit"
#: The chat page's own scripts, in the order they run: state first, wiring last.
VISIT_FILES: Final = tuple(
    VISIT_DIR / f"{name}.js"
    for name in (
        *("state", "lang", "start", "views", "socket", "frames", "messages", "cards"),
        *("codes", "waiting", "survey", "ending", "cover", "danger", "main"),
    )
)
#: Text fields take twice the message limit, so a pasted text that is too long is seen (and
#: said to be) too long rather than silently cut; the server's limit is what counts.
PASTE_ROOM_FACTOR: Final = 2
_EXPORT_FUNCTION: Final = re.compile(r"^export function ([\w$]+)\(", re.MULTILINE)
_MODULE_SYNTAX: Final = re.compile(r"^\s*(?:export|import)\b", re.MULTILINE)


def _script(path: Path) -> InlineScript:
    return InlineScript.of(path.relative_to(STATIC_DIR).as_posix(), path.read_text("utf-8"))


def quick_exit_script() -> InlineScript:
    """The quick exit, the first script of every visitor-side page."""
    return _script(QUICK_EXIT_FILE)


def common_module_script(path: Path) -> InlineScript:
    """A shared ES module as a classic script that adds its functions to FristadCommon.

    Raises:
        InlineScriptError: the module imports, or exports anything but functions.
    """
    text = path.read_text("utf-8")
    names = _EXPORT_FUNCTION.findall(text)
    body = _EXPORT_FUNCTION.sub(lambda m: f"function {m.group(1)}(", text)
    if _MODULE_SYNTAX.search(body):
        raise InlineScriptError(f"{path.name}: only `export function NAME(` can be inlined")
    exports = "".join(f"  C.{name} = {name};\n" for name in names)
    source = (
        "(function (C) {\n'use strict';\n"
        f"{body}\n{exports}"
        "}(window.FristadCommon = window.FristadCommon || {}));\n"
    )
    return InlineScript.of(path.relative_to(STATIC_DIR).as_posix(), source)


@dataclass(frozen=True, slots=True)
class PageLimits:
    """The server's limits the page needs, sent as data (never written into a script)."""

    message_chars: int
    return_code_chars: int
    survey_text_chars: int
    resume_grace_s: int

    @property
    def input_chars(self) -> int:
        return self.message_chars * PASTE_ROOM_FACTOR

    def as_json(self) -> dict[str, int]:
        return {
            "message_chars": self.message_chars,
            "return_code_chars": self.return_code_chars,
            "survey_text_chars": self.survey_text_chars,
            "resume_grace_s": self.resume_grace_s,
        }


class VisitPage:
    """The chat page's scripts, strings and data, read and hashed once at start-up.

    A file that cannot be inlined, or a strings file that is not a JSON object of strings,
    stops the service at start-up, not on a visitor's page.
    """

    def __init__(self, resume_grace_s: int, strings: PageStrings | None = None) -> None:
        self.strings = strings or PageStrings()
        self.limits = PageLimits(
            message_chars=MAX_TEXT_CHARS,
            return_code_chars=MAX_CODE_INPUT_CHARS,
            survey_text_chars=MAX_SURVEY_VALUE_CHARS,
            resume_grace_s=resume_grace_s,
        )
        self.quick_exit = quick_exit_script()
        self.page_scripts = (
            *map(common_module_script, COMMON_MODULES),
            *map(_script, VISIT_FILES),
        )
        self.head_html = self.quick_exit.tag
        self.body_scripts_html = "\n".join(script.tag for script in self.page_scripts)
        self._data = {lang.code: self._data_block(lang) for lang in self.strings.languages}

    @property
    def hashes(self) -> tuple[str, ...]:
        return hashes_of((self.quick_exit, *self.page_scripts))

    @property
    def languages(self) -> tuple[Language, ...]:
        return self.strings.languages

    def chosen(self, lang: str | None) -> str:
        """The page's language: the one asked for if offered, else the default."""
        return lang if lang is not None and self.strings.offers(lang) else DEFAULT_LANG

    def body_html(self, lang: str) -> str:
        """The data block for ``lang`` and every script of the page's body, in order."""
        return self._data[lang] + "\n" + self.body_scripts_html

    def strings_json(self, lang: str) -> dict[str, object]:
        """``GET /api/strings?lang=``: one language's strings, for a switch in the page."""
        language = self.strings.language(lang)
        return {"lang": lang, "dir": language.dir, "strings": self.strings.strings(lang)}

    def _data_block(self, language: Language) -> str:
        data = {
            "lang": language.code,
            "default_lang": DEFAULT_LANG,
            "languages": [lang.as_json() for lang in self.strings.languages],
            "limits": self.limits.as_json(),
            "strings": self.strings.strings(language.code),
        }
        return json_data_block("page-data", data)
