"""The staff editing flow: propose or edit an article in the browser, preview it, and (admin
only) publish it.

Every page here is staff only: no session means a 303 to the login page, a role that may not
act means 403. State changes are POST, and a POST whose `Origin` is not this host is refused:
the session cookie is SameSite=Strict, the Origin check is the second lock on the door.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import parse_qs, urlsplit

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from kb.article import DEFAULT_LANG, Article, ArticleError, parse_article
from kb.live import LiveBank
from kb.pages import NO_STORE, render_page
from kb.render import render_markdown
from kb.store import (
    Draft,
    DraftId,
    KbStore,
    KbStoreUnavailableError,
    Publication,
    TooManyDraftsError,
    new_draft_id,
)
from security.roles import StaffIdentity

LOGIN_URL: Final = "/console/login"
MAX_FORM_BYTES: Final = 200_000  # an article is at most 100,000 characters; UTF-8 doubles it
STAFF_LANG: Final = DEFAULT_LANG
NEW_ARTICLE_TEMPLATE: Final = """---
slug: ny-artikel
lang: sv
title: Rubrik
summary: En eller två meningar om vad artikeln handlar om.
audience: youth
topics: [other]
translations: {}
reviewed: 2026-11-22
review_status: pending-centre-review
review_note: Centret granskar innan publicering.
---
Skriv artikeln här. Rubriker börjar med ##.

## Källor

- Källa
"""

StaffHandler = Callable[[Request, StaffIdentity], Awaitable[Response]]
#: Records an editing action in the staff audit log: (action, staff username, subject), where
#: action is ``published`` (subject: the article's key) or ``discarded`` (the draft's id).
EditAudit = Callable[[str, str, str], Awaitable[None]]


async def no_audit(action: str, staff: str, subject: str) -> None:
    return None


class _FormError(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


def _origin_ok(request: Request) -> bool:
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc == host


async def _read_form(request: Request) -> dict[str, str]:
    """A url-encoded form, refused past `MAX_FORM_BYTES` before it is all read."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise _FormError(413, "Texten är för lång.")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        raise _FormError(400, "Formuläret kunde inte läsas.") from None
    return {key: values[0] for key, values in fields.items()}


class EditingEndpoints:
    def __init__(
        self,
        live: LiveBank,
        current_staff: Callable[[Request], Awaitable[StaffIdentity | None]],
        store: KbStore | None,
        audit: EditAudit = no_audit,
    ) -> None:
        self._live = live
        self._current_staff = current_staff
        self._store = store
        self._audit = audit

    def routes(self) -> list[BaseRoute]:
        staff = self._staff_only
        return [
            Route("/kb/edit/", staff(self.overview), methods=["GET"]),
            Route("/kb/edit/new", staff(self.new_form), methods=["GET"]),
            Route("/kb/edit/drafts", staff(self.create), methods=["POST"]),
            Route("/kb/edit/drafts/{draft_id}", staff(self.show), methods=["GET"]),
            Route("/kb/edit/drafts/{draft_id}", staff(self.update), methods=["POST"]),
            Route("/kb/edit/drafts/{draft_id}/publish", staff(self.publish), methods=["POST"]),
            Route("/kb/edit/drafts/{draft_id}/discard", staff(self.discard), methods=["POST"]),
        ]

    def _staff_only(self, handler: StaffHandler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            identity = await self._current_staff(request)
            if identity is None:
                return RedirectResponse(LOGIN_URL, status_code=303, headers=NO_STORE)
            if request.method == "POST" and not _origin_ok(request):
                return PlainTextResponse("Forbidden", status_code=403, headers=NO_STORE)
            try:
                return await handler(request, identity)
            except _FormError as exc:
                return PlainTextResponse(str(exc), status_code=exc.status_code, headers=NO_STORE)
            except KbStoreUnavailableError:
                return self._page("edit_message.html", 503, message="unavailable")

        return endpoint

    def _page(self, template: str, status_code: int = 200, **context: object) -> Response:
        return render_page(template, STAFF_LANG, status_code=status_code, **context)

    def _need_store(self) -> KbStore:
        if self._store is None:
            raise KbStoreUnavailableError("the knowledge bank has no store configured")
        return self._store

    async def overview(self, request: Request, identity: StaffIdentity) -> Response:
        bank = await self._live.current()
        drafts = await self._store.list_drafts() if self._store else []
        return self._page(
            "edit_overview.html",
            identity=identity,
            drafts=drafts,
            articles=bank.articles(None, include_staff=True),
            editing_enabled=self._store is not None,
        )

    async def new_form(self, request: Request, identity: StaffIdentity) -> Response:
        source, base = NEW_ARTICLE_TEMPLATE, ""
        lang, _, slug = request.query_params.get("from", "").partition("/")
        if slug:
            bank = await self._live.current()
            article = bank.get(lang, slug, include_staff=True)
            if article is not None:
                source, base = article.source, article.key
        return self._editor(identity, source, base=base, draft=None)

    async def create(self, request: Request, identity: StaffIdentity) -> Response:
        form = await _read_form(request)
        source, base = form.get("source", ""), form.get("base", "")
        article, error = _parse(source)
        if form.get("action") != "save" or article is None:
            return self._editor(identity, source, base=base, draft=None, error=error)
        draft = Draft(
            new_draft_id(), source, identity.username, identity.username, time.time(), base
        )
        try:
            await self._need_store().save_draft(draft)
        except TooManyDraftsError:
            return self._editor(identity, source, base=base, draft=None, error="too_many")
        return RedirectResponse(f"/kb/edit/drafts/{draft.id}", status_code=303, headers=NO_STORE)

    async def show(self, request: Request, identity: StaffIdentity) -> Response:
        draft = await self._load(request)
        if draft is None:
            return self._page("edit_message.html", 404, message="no_draft")
        return self._editor(identity, draft.source, base=draft.base, draft=draft)

    async def update(self, request: Request, identity: StaffIdentity) -> Response:
        draft = await self._load(request)
        if draft is None:
            return self._page("edit_message.html", 404, message="no_draft")
        form = await _read_form(request)
        source = form.get("source", "")
        article, error = _parse(source)
        if form.get("action") != "save" or article is None:
            return self._editor(identity, source, base=draft.base, draft=draft, error=error)
        updated = Draft(draft.id, source, draft.author, identity.username, time.time(), draft.base)
        await self._need_store().save_draft(updated)
        return RedirectResponse(f"/kb/edit/drafts/{draft.id}", status_code=303, headers=NO_STORE)

    async def publish(self, request: Request, identity: StaffIdentity) -> Response:
        if not identity.is_admin:
            return self._page("edit_message.html", 403, message="admin_only")
        draft = await self._load(request)
        if draft is None:
            return self._page("edit_message.html", 404, message="no_draft")
        article, error = _parse(draft.source)
        bank = await self._live.current()
        if article is not None:
            try:  # the links must resolve against what is live now; a rebuild, off the loop
                await anyio.to_thread.run_sync(bank.with_published, {article.key: article})
            except ArticleError as exc:
                article, error = None, str(exc)
        if article is None:
            return self._editor(identity, draft.source, base=draft.base, draft=draft, error=error)
        publication = Publication(article.key, draft.source, identity.username, time.time())
        await self._need_store().publish_draft(draft.id, publication)
        self._live.invalidate()
        await self._audit("published", identity.username, article.key)
        return RedirectResponse(f"/kb/{article.key}", status_code=303, headers=NO_STORE)

    async def discard(self, request: Request, identity: StaffIdentity) -> Response:
        draft = await self._load(request)
        if draft is None:
            return self._page("edit_message.html", 404, message="no_draft")
        if draft.author != identity.username and not identity.is_admin:
            return self._page("edit_message.html", 403, message="not_yours")
        await self._need_store().discard_draft(draft.id)
        await self._audit("discarded", identity.username, draft.id)
        return RedirectResponse("/kb/edit/", status_code=303, headers=NO_STORE)

    async def _load(self, request: Request) -> Draft | None:
        return await self._need_store().load_draft(DraftId(request.path_params["draft_id"]))

    def _editor(
        self,
        identity: StaffIdentity,
        source: str,
        *,
        base: str,
        draft: Draft | None,
        error: str | None = None,
    ) -> Response:
        article, parse_error = _parse(source)
        return self._page(
            "edit_form.html",
            200 if error is None else 422,
            identity=identity,
            source=source,
            base=base,
            draft=draft,
            article=article,
            preview=render_markdown(article.body) if article else "",
            error=error or parse_error,
            editing_enabled=self._store is not None,
        )


def _parse(source: str) -> tuple[Article | None, str | None]:
    try:
        return parse_article(source), None
    except ArticleError as exc:
        return None, str(exc)
