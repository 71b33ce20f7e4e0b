"""Starlette routes for the knowledge bank: visitor pages, the JSON the chat page uses, and
(via `kb.editing`) the staff editing flow.

Visitor side: no cookie, `Cache-Control: no-store`, no script loaded from a URL (the quick
exit is inline, allowed by its CSP hash), no inline style, a neutral title, the quick exit on
every page. Staff-only articles answer 404 to anyone else, so their
existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from kb.article import DEFAULT_LANG, LANGS, TOPIC_CODES, Article
from kb.bank import KnowledgeBank, SearchResult
from kb.editing import EditAudit, EditingEndpoints, no_audit
from kb.live import LiveBank
from kb.pages import DEFAULT_CHROME, NO_STORE, PageChrome
from kb.query import MAX_QUERY_CHARS
from kb.store import KbStore
from security.roles import StaffIdentity

CurrentStaff = Callable[[Request], Awaitable[StaffIdentity | None]]

SEARCH_RESULTS: Final = 10
AUDIENCE_ORDER: Final = ("youth", "public", "professional", "staff")


def create_kb_routes(
    bank: KnowledgeBank,
    current_staff: CurrentStaff,
    store: KbStore | None = None,
    audit: EditAudit = no_audit,
    chrome: PageChrome = DEFAULT_CHROME,
) -> list[BaseRoute]:
    """Routes for `GET /kb/`, `/kb/search`, `/kb/{lang}/{slug}`, `/api/kb/*` and `/kb/edit/*`.

    ``chrome`` carries the quick exit's target and inline script (the composition root's).
    """
    live = LiveBank(bank, store)
    visitor = VisitorEndpoints(live, current_staff, chrome)
    editing = EditingEndpoints(live, current_staff, store, audit)
    return [
        *editing.routes(),
        Route("/kb/", visitor.index, methods=["GET"]),
        Route("/kb/search", visitor.search_page, methods=["GET"]),
        Route("/kb/{lang}/{slug}", visitor.article_page, methods=["GET"]),
        Route("/api/kb/search", visitor.api_search, methods=["GET"]),
        Route("/api/kb/articles", visitor.api_topic, methods=["GET"]),
        Route("/api/kb/article/{lang}/{slug}", visitor.api_article, methods=["GET"]),
    ]


def _lang_param(request: Request) -> str | None:
    """The `lang` query parameter if it names a language we serve; None if absent."""
    lang = request.query_params.get("lang", "")
    return lang if lang in LANGS else None


def _json(content: object, status_code: int = 200) -> JSONResponse:
    return JSONResponse(content, status_code=status_code, headers=NO_STORE)


def _results_json(results: list[SearchResult]) -> JSONResponse:
    return _json({"results": [r.as_json() for r in results]})


def _summary_result(article: Article) -> SearchResult:
    return SearchResult(
        article.slug, article.lang, article.title, article.summary, article.audience.value
    )


class VisitorEndpoints:
    def __init__(
        self, live: LiveBank, current_staff: CurrentStaff, chrome: PageChrome = DEFAULT_CHROME
    ) -> None:
        self._live = live
        self._current_staff = current_staff
        self._render = chrome.render

    async def _is_staff(self, request: Request) -> bool:
        return await self._current_staff(request) is not None

    async def index(self, request: Request) -> Response:
        lang = _lang_param(request) or DEFAULT_LANG
        staff = await self._is_staff(request)
        bank = await self._live.current()
        groups = []
        for audience in AUDIENCE_ORDER:
            articles = [
                a for a in bank.articles(lang, include_staff=staff) if a.audience == audience
            ]
            if articles:
                groups.append((audience, articles))
        return self._render("index.html", lang, groups=groups, languages=bank.languages())

    async def search_page(self, request: Request) -> Response:
        lang = _lang_param(request) or DEFAULT_LANG
        q = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
        staff = await self._is_staff(request)
        bank = await self._live.current()
        results = bank.search(q, lang, staff, SEARCH_RESULTS) if q.strip() else []
        return self._render("search.html", lang, q=q, results=results)

    async def article_page(self, request: Request) -> Response:
        staff_identity = await self._current_staff(request)
        staff = staff_identity is not None
        bank = await self._live.current()
        article = bank.get(
            request.path_params["lang"], request.path_params["slug"], include_staff=staff
        )
        if article is None:
            lang = _lang_param(request) or DEFAULT_LANG
            return self._render("not_found.html", lang, status_code=404)
        return self._render(
            "article.html",
            article.lang,
            article=article,
            body=bank.html(article),
            translations=bank.translations(article, include_staff=staff),
            related=bank.related(article, include_staff=staff),
            staff=staff,
        )

    async def api_search(self, request: Request) -> Response:
        raw_lang = request.query_params.get("lang", "")
        if raw_lang and raw_lang not in LANGS:
            return _json({"error": "unknown lang"}, 400)
        q = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
        if not q.strip():
            return _results_json([])
        bank = await self._live.current()
        staff = await self._is_staff(request)
        return _results_json(bank.search(q, raw_lang or None, staff, SEARCH_RESULTS))

    async def api_topic(self, request: Request) -> Response:
        topic = request.query_params.get("topic", "")
        raw_lang = request.query_params.get("lang", DEFAULT_LANG) or DEFAULT_LANG
        if topic not in TOPIC_CODES or raw_lang not in LANGS:
            return _json({"error": "unknown topic or lang"}, 400)
        bank = await self._live.current()
        staff = await self._is_staff(request)
        articles = bank.by_topic(topic, raw_lang, include_staff=staff)
        if not articles:  # better a Swedish article than none while waiting
            articles = bank.by_topic(topic, DEFAULT_LANG, include_staff=staff)
        return _results_json([_summary_result(a) for a in articles[:SEARCH_RESULTS]])

    async def api_article(self, request: Request) -> Response:
        bank = await self._live.current()
        staff = await self._is_staff(request)
        article = bank.get(
            request.path_params["lang"], request.path_params["slug"], include_staff=staff
        )
        if article is None:
            return _json({"error": "not found"}, 404)
        return _json(
            {
                "title": article.title,
                "html": bank.html(article),
                "lang": article.lang,
                "dir": article.direction,
            }
        )
