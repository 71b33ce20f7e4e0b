"""The bank a request should read: the shipped articles plus those published in the browser.

Each process polls the publication counter at most every `REFRESH_SECS`, so an admin's
publication reaches every worker within that time without a restart. When Redis is away
the visitor keeps reading the articles already loaded: the knowledge bank must not go
dark because the chat's database restarts.
"""

from __future__ import annotations

import time
from typing import Final

import anyio.to_thread

from kb.article import ArticleError, parse_article
from kb.bank import KnowledgeBank
from kb.store import KbStore, KbStoreUnavailableError, Publication

REFRESH_SECS: Final = 5.0


class LiveBank:
    def __init__(self, base: KnowledgeBank, store: KbStore | None) -> None:
        self._base = base
        self._current = base
        self._store = store
        self._version = 0
        self._checked_at = float("-inf")

    def invalidate(self) -> None:
        """Check the store on the next request (this process just published)."""
        self._checked_at = float("-inf")

    async def current(self) -> KnowledgeBank:
        if self._store is None or time.monotonic() - self._checked_at < REFRESH_SECS:
            return self._current
        self._checked_at = time.monotonic()
        try:
            version = await self._store.published_version()
            if version != self._version:
                publications = await self._store.published_articles()
                self._current = await anyio.to_thread.run_sync(self._merge, publications)
                self._version = version
        except KbStoreUnavailableError:
            pass  # keep serving what we have; the next check tries again
        return self._current

    def _merge(self, publications: list[Publication]) -> KnowledgeBank:
        articles = {}
        for publication in publications:
            try:
                article = parse_article(publication.source)
            except ArticleError:
                continue  # checked when published; a bad entry must not hide the others
            articles[article.key] = article
        try:
            return self._base.with_published(articles)
        except ArticleError:
            return self._current
