"""The visitor's page put together once, when the service starts: its scripts go inline.

A script loaded from a URL leaves an entry in Chromium's code cache naming the site, so the
chat page and the knowledge bank's pages carry their scripts inside the HTML (issue 8), each
allowed by its CSP hash (:mod:`security.inline`). The files stay small and separate on disk;
nothing is built ahead of time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from security.inline import InlineScript, hashes_of

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
#: Scripts shared by the visitor's pages, the knowledge bank's and the staff pages.
COMMON_DIR: Final = STATIC_DIR / "common"
QUICK_EXIT_FILE: Final = COMMON_DIR / "quickexit.js"
#: The chat page's own scripts, in the order they run.
VISIT_FILES: Final = (STATIC_DIR / "visit.js",)


def _script(path: Path) -> InlineScript:
    return InlineScript.of(path.relative_to(STATIC_DIR).as_posix(), path.read_text("utf-8"))


def quick_exit_script() -> InlineScript:
    """The quick exit, the first script of every visitor-side page."""
    return _script(QUICK_EXIT_FILE)


@dataclass(frozen=True, slots=True)
class VisitScripts:
    """The chat page's inline scripts: the quick exit in the head, the rest in the body."""

    quick_exit: InlineScript
    page: tuple[InlineScript, ...]

    @property
    def head_html(self) -> str:
        return self.quick_exit.tag

    @property
    def body_html(self) -> str:
        return "\n".join(script.tag for script in self.page)

    @property
    def hashes(self) -> tuple[str, ...]:
        return hashes_of((self.quick_exit, *self.page))


def load_visit_scripts() -> VisitScripts:
    """Read and hash the chat page's scripts (at start-up; a file that cannot be inlined
    stops the service there, not on a visitor's page)."""
    return VisitScripts(quick_exit=quick_exit_script(), page=tuple(map(_script, VISIT_FILES)))
