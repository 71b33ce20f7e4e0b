"""The knowledge bank: every article, loaded and checked at start, and searchable.

Immutable once built: publishing an article builds a new bank (see `kb.live`), so a request
never sees half an update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kb.article import LANGS, Article, ArticleError, Audience, parse_article
from kb.index import IndexEntry, SearchIndex
from kb.render import plain_text, render_markdown
from kb.synonyms import SYNONYMS_FILE, SynonymTable

CONTENT_DIR: Final = Path(__file__).resolve().parent / "content"
MAX_RELATED: Final = 5
DEFAULT_SEARCH_LIMIT: Final = 10


@dataclass(frozen=True, slots=True)
class SearchResult:
    slug: str
    lang: str
    title: str
    snippet: str
    audience: str

    def as_json(self) -> dict[str, str]:
        return {
            "slug": self.slug,
            "lang": self.lang,
            "title": self.title,
            "snippet": self.snippet,
            "audience": self.audience,
        }


class KnowledgeBank:
    def __init__(self, articles: Iterable[Article], synonyms: SynonymTable) -> None:
        self._articles: dict[str, Article] = {}
        for article in articles:
            if article.key in self._articles:
                raise ArticleError(f"{article.key}: two articles with the same language and slug")
            self._articles[article.key] = article
        self._check_links()
        self._synonyms = synonyms
        self._order = sorted(self._articles.values(), key=lambda a: (a.lang, a.title.casefold()))
        self._html = {a.key: render_markdown(a.body) for a in self._order}
        self._index = SearchIndex(
            [
                IndexEntry(a.title, a.summary, plain_text(a.body), a.lang, a.staff_only)
                for a in self._order
            ],
            synonyms,
        )

    @classmethod
    def load(cls, content_dir: Path) -> KnowledgeBank:
        """Every `*.md` under `content_dir`; a bad file fails the load, naming the file."""
        articles = []
        for path in sorted(content_dir.rglob("*.md")):
            if path.name.startswith("_") or path.name.upper() == "README.MD":
                continue
            try:
                articles.append(parse_article(path.read_text(encoding="utf-8")))
            except ArticleError as exc:
                raise ArticleError(f"{path}: {exc}") from None
        return cls(articles, SynonymTable.load(content_dir / SYNONYMS_FILE))

    @classmethod
    def default(cls) -> KnowledgeBank:
        """The articles shipped in `kb/content`."""
        return cls.load(CONTENT_DIR)

    def with_published(self, published: Mapping[str, Article]) -> KnowledgeBank:
        """A new bank where articles published in the browser replace or add to these."""
        merged = dict(self._articles)
        merged.update(published)
        return KnowledgeBank(merged.values(), self._synonyms)

    def _check_links(self) -> None:
        for article in self._articles.values():
            for lang, slug in article.translations:
                if f"{lang}/{slug}" not in self._articles:
                    raise ArticleError(f"{article.key}: translation {lang}/{slug} does not exist")
            for slug in article.related:
                if f"{article.lang}/{slug}" not in self._articles:
                    raise ArticleError(f"{article.key}: related {slug} does not exist")

    def __len__(self) -> int:
        return len(self._articles)

    def get(self, lang: str, slug: str, *, include_staff: bool) -> Article | None:
        article = self._articles.get(f"{lang}/{slug}")
        if article is None or (article.staff_only and not include_staff):
            return None
        return article

    def html(self, article: Article) -> str:
        """The article body as sanitised HTML (rendered once, at load)."""
        return self._html.get(article.key) or render_markdown(article.body)

    def articles(self, lang: str | None, *, include_staff: bool) -> list[Article]:
        return [
            a
            for a in self._order
            if (lang is None or a.lang == lang) and (include_staff or not a.staff_only)
        ]

    def languages(self) -> list[str]:
        """The languages with articles, in the visitor page's order (sv, en, ar, fa, ...)."""
        present = {a.lang for a in self._order}
        return [lang for lang in LANGS if lang in present] + sorted(present - set(LANGS))

    def translations(self, article: Article, *, include_staff: bool) -> list[Article]:
        found = (
            self.get(lang, slug, include_staff=include_staff) for lang, slug in article.translations
        )
        return [a for a in found if a is not None]

    def related(self, article: Article, *, include_staff: bool) -> list[Article]:
        """Named related articles first, then others in its language sharing a topic."""
        named = [self.get(article.lang, s, include_staff=include_staff) for s in article.related]
        chosen = [a for a in named if a is not None]
        for other in self.articles(article.lang, include_staff=include_staff):
            if (
                other.key != article.key
                and other not in chosen
                and set(other.topics) & set(article.topics)
            ):
                chosen.append(other)
        return chosen[:MAX_RELATED]

    def by_topic(self, topic: str, lang: str, *, include_staff: bool) -> list[Article]:
        """Articles for a visitor waiting in the queue: youth first, then public ones."""
        rank = {Audience.YOUTH: 0, Audience.PUBLIC: 1, Audience.PROFESSIONAL: 2, Audience.STAFF: 3}
        found = [a for a in self.articles(lang, include_staff=include_staff) if topic in a.topics]
        return sorted(found, key=lambda a: rank[a.audience])

    def search(
        self, q: str, lang: str | None, include_staff: bool, limit: int = DEFAULT_SEARCH_LIMIT
    ) -> list[SearchResult]:
        """Best first. Staff-only articles only when `include_staff`."""
        hits = self._index.search(q, lang, include_staff=include_staff, limit=limit)
        results = []
        for hit in hits:
            article = self._order[hit.position]
            results.append(
                SearchResult(
                    article.slug, article.lang, article.title, hit.snippet, article.audience.value
                )
            )
        return results
