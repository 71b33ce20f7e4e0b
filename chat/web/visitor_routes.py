"""The visitor's HTTP routes: the chat page, the lookups its form needs (topics, languages,
professions, survey, status, strings, municipalities) and ``/exit``.

None of them sets a cookie or reads anything that identifies the visitor; the page and its
scripts are our own files, read and hashed once at start-up (chat/web/visit_page.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from chat.domain.config import ChatConfig
from chat.domain.languages import languages_json
from chat.domain.survey import questions_for
from chat.domain.topics import LANGS, PROFESSIONS, TOPICS, label
from chat.operations.conversations import Conversations
from chat.texts.notices import all_reporting_duty_texts
from chat.web.municipality_routes import create_municipality_routes
from chat.web.visit_page import VisitPage

ROOT: Final = Path(__file__).resolve().parents[2]
VISITOR_TEMPLATES: Final = Jinja2Templates(directory=str(ROOT / "chat" / "web" / "templates"))


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "sv")
    return lang if lang in LANGS else "sv"


def create_visitor_routes(
    exit_url: str, chat_config: ChatConfig, ops: Conversations, page: VisitPage
) -> list[BaseRoute]:
    """The visitor page, its JSON lookups and the quick exit."""
    # Our own files, read and hashed at start-up; never anything from a request.
    head_scripts = Markup(page.head_html)  # noqa: S704
    body_scripts = {
        lang.code: Markup(page.body_html(lang.code))  # noqa: S704
        for lang in page.languages
    }

    async def visit_page(request: Request) -> Response:
        lang = page.chosen(request.query_params.get("lang"))
        return VISITOR_TEMPLATES.TemplateResponse(
            request,
            "visit.html",
            {
                "exit_url": exit_url,
                "notices": all_reporting_duty_texts(),
                "langs": list(LANGS),
                "lang": page.strings.language(lang),
                "languages": page.languages,
                "limits": page.limits,
                "head_scripts": head_scripts,
                "body_scripts": body_scripts[lang],
            },
        )

    async def strings(request: Request) -> Response:
        lang = request.query_params.get("lang", "")
        if not page.strings.offers(lang):
            return JSONResponse({"error": "unknown lang"}, status_code=404)
        return JSONResponse(page.strings_json(lang))

    async def topics(request: Request) -> Response:
        lang = _lang(request)
        return JSONResponse(
            {"topics": [{"code": c, "label": label(TOPICS, c, lang)} for c in TOPICS]}
        )

    async def professions(request: Request) -> Response:
        lang = _lang(request)
        return JSONResponse(
            {
                "professions": [
                    {"code": c, "label": label(PROFESSIONS, c, lang)} for c in PROFESSIONS
                ]
            }
        )

    async def survey(request: Request) -> Response:
        return JSONResponse({"questions": questions_for(_lang(request))})

    async def status(request: Request) -> Response:
        now = datetime.now(tz=UTC)
        hours = chat_config.opening_hours
        is_open = hours is None or hours.is_open(now)
        body: dict[str, Any] = {"open": is_open}
        if hours is not None and not is_open:
            opens = hours.next_opening(now)
            if opens is not None:
                body["opens"] = opens.astimezone(UTC).isoformat().replace("+00:00", "Z")
        lengths = await ops.store.queue_lengths()
        body["queue"] = lengths
        # The wait a visitor arriving now would have, per channel (an addition to surface.md:
        # ``eta_s`` stays the youth channel's, left out without a basis).
        by_channel = {ch: await ops.eta(ch, n + 1) for ch, n in lengths.items()}
        body["eta_s_by_channel"] = by_channel
        if by_channel.get("youth") is not None:
            body["eta_s"] = by_channel["youth"]
        return JSONResponse(body)

    async def languages(request: Request) -> Response:
        return JSONResponse(languages_json())

    async def exit_page(request: Request) -> Response:
        return Response(
            status_code=204, headers={"Clear-Site-Data": '"cache", "cookies", "storage"'}
        )

    return [
        Route("/", visit_page, methods=["GET"]),
        Route("/api/topics", topics, methods=["GET"]),
        Route("/api/languages", languages, methods=["GET"]),
        Route("/api/professions", professions, methods=["GET"]),
        Route("/api/survey", survey, methods=["GET"]),
        Route("/api/status", status, methods=["GET"]),
        Route("/api/strings", strings, methods=["GET"]),
        Route("/exit", exit_page, methods=["GET", "POST"]),
        *create_municipality_routes(),
    ]
