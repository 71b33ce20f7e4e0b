"""docs/architecture.md's module table matches the tree: every module of chat/,
counsellor_console/, kb/, security/ and service/ has its line, and no line names a module
that is gone. A module added (or moved) fails here until the table says what it holds."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("chat", "counsellor_console", "kb", "security", "service")


def _listed() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("\n## Modules\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+\.py)` \| \S", section, flags=re.MULTILINE)


def _modules() -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path.name != "__init__.py"
    }


def test_the_module_table_lists_every_module() -> None:
    missing = sorted(_modules() - set(_listed()))
    assert not missing, f"modules not in docs/architecture.md's table: {missing}"


def test_the_module_table_lists_no_module_that_is_gone() -> None:
    gone = sorted(set(_listed()) - _modules())
    assert not gone, f"docs/architecture.md lists modules that do not exist: {gone}"


def test_each_module_is_listed_once() -> None:
    listed = _listed()
    assert len(listed) > 100  # the walk found the table
    assert sorted(name for name in set(listed) if listed.count(name) > 1) == []
