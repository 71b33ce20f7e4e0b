"""Articles: Markdown files with YAML front matter, parsed and validated once at load.

Content lives in the repository so that a change to what young people read is reviewed like
code (issue 4). A file that does not parse is an error at load, never a half-shown page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import yaml

# Copied from chat/domain/languages.py (kb may not import chat); a test keeps the two lists equal.
LANGS: Final = ("sv", "en", "ar", "fa", "so", "ckb", "ti")
RTL_LANGS: Final = frozenset({"ar", "fa", "ckb"})
DEFAULT_LANG: Final = "sv"

# Copied from chat/domain/topics.py (kb may not import chat); a test keeps the two lists equal.
TOPIC_CODES: Final = frozenset(
    {
        "control",
        "forced_marriage",
        "abroad",
        "violence",
        "fgm",
        "sexuality",
        "online",
        "housing",
        "other",
    }
)

MAX_ARTICLE_CHARS: Final = 100_000
MAX_TITLE_CHARS: Final = 160
MAX_SUMMARY_CHARS: Final = 400
SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT_MATTER_RE: Final = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n?(.*)\Z", re.DOTALL)
_REQUIRED: Final = ("slug", "lang", "title", "summary", "audience", "topics", "reviewed")
_KNOWN: Final = frozenset({*_REQUIRED, "translations", "related", "review_status", "review_note"})


class Audience(StrEnum):
    YOUTH = "youth"
    PROFESSIONAL = "professional"
    PUBLIC = "public"
    STAFF = "staff"


class ArticleError(ValueError):
    """An article's source is not a valid article; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class Article:
    """One article in one language, as its file says."""

    slug: str
    lang: str
    title: str
    summary: str
    audience: Audience
    topics: tuple[str, ...]
    translations: tuple[tuple[str, str], ...]  # (lang, slug), sorted by lang
    related: tuple[str, ...]
    reviewed: dt.date
    review_status: str
    review_note: str
    body: str  # Markdown, without the front matter
    source: str  # the whole file, for the editor

    @property
    def key(self) -> str:
        return f"{self.lang}/{self.slug}"

    @property
    def staff_only(self) -> bool:
        return self.audience is Audience.STAFF

    @property
    def direction(self) -> str:
        return "rtl" if self.lang in RTL_LANGS else "ltr"


def parse_article(source: str) -> Article:
    """Parse one article file.

    Raises:
        ArticleError: the front matter is missing, malformed or has a bad field.
    """
    if len(source) > MAX_ARTICLE_CHARS:
        raise ArticleError(f"expected at most {MAX_ARTICLE_CHARS} characters, got {len(source)}")
    match = _FRONT_MATTER_RE.match(source.lstrip("\ufeff"))
    if match is None:
        raise ArticleError("expected front matter between two '---' lines at the top")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ArticleError(f"front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise ArticleError("expected the front matter to be a mapping")
    return _build(meta, match.group(2).strip() + "\n", source)


def _build(meta: dict[object, object], body: str, source: str) -> Article:
    missing = [key for key in _REQUIRED if key not in meta]
    if missing:
        raise ArticleError(f"missing front matter field(s): {', '.join(missing)}")
    unknown = sorted(str(key) for key in meta if key not in _KNOWN)
    if unknown:
        raise ArticleError(f"unknown front matter field(s): {', '.join(unknown)}")
    lang = _lang(meta["lang"], "lang")
    return Article(
        slug=_slug(meta["slug"], "slug"),
        lang=lang,
        title=_text(meta["title"], "title", MAX_TITLE_CHARS),
        summary=_text(meta["summary"], "summary", MAX_SUMMARY_CHARS),
        audience=_audience(meta["audience"]),
        topics=_topics(meta["topics"]),
        translations=_translations(meta.get("translations"), lang),
        related=tuple(_slug(s, "related") for s in _list(meta.get("related"), "related")),
        reviewed=_date(meta["reviewed"]),
        review_status=_text(meta.get("review_status", "reviewed"), "review_status", 40),
        review_note=_text(meta.get("review_note", "") or "-", "review_note", 400),
        body=body,
        source=source,
    )


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ArticleError(f"{field}: expected non-empty text, got {value!r}")
    if len(value) > limit:
        raise ArticleError(f"{field}: expected at most {limit} characters, got {len(value)}")
    return " ".join(value.split())


def _slug(value: object, field: str) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value) or len(value) > 80:
        raise ArticleError(f"{field}: expected a slug like 'my-rights', got {value!r}")
    return value


def _lang(value: object, field: str) -> str:
    if value not in LANGS:
        raise ArticleError(f"{field}: expected one of {', '.join(LANGS)}, got {value!r}")
    assert isinstance(value, str)  # noqa: S101 -- narrowed by the membership test above
    return value


def _audience(value: object) -> Audience:
    try:
        return Audience(str(value))
    except ValueError:
        choices = ", ".join(a.value for a in Audience)
        raise ArticleError(f"audience: expected one of {choices}, got {value!r}") from None


def _list(value: object, field: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ArticleError(f"{field}: expected a list, got {value!r}")
    return value


def _topics(value: object) -> tuple[str, ...]:
    topics = _list(value, "topics")
    bad = [t for t in topics if t not in TOPIC_CODES]
    if bad:
        raise ArticleError(f"topics: unknown code(s) {bad!r}; known: {sorted(TOPIC_CODES)}")
    return tuple(str(t) for t in topics)


def _translations(value: object, own_lang: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ArticleError(f"translations: expected a mapping lang: slug, got {value!r}")
    pairs = [(_lang(k, "translations"), _slug(v, "translations")) for k, v in value.items()]
    if any(lang == own_lang for lang, _ in pairs):
        raise ArticleError("translations: must not name the article's own language")
    return tuple(sorted(pairs))


def _date(value: object) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ArticleError(f"reviewed: expected a date YYYY-MM-DD, got {value!r}")
