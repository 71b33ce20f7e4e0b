"""The experts' space over HTTP: list, start a thread, reply, close.

Before a title or post is stored it goes through ``checker.check_text``; if anything looks
identifying, the form comes back (422) with the findings and the poster may edit it or
confirm. A confirmation holds only for the exact text that was checked (``checked`` is its
SHA-256), so an edit after the warning is checked again.
"""

from __future__ import annotations

import hashlib
from typing import Final

import structlog
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from counsellor_console.network.access import may_close_thread, may_use_network
from counsellor_console.network.audit_events import PostAdded, ThreadClosed, ThreadStarted
from counsellor_console.network.checker import Finding, check_text
from counsellor_console.network.experts import (
    MAX_POST_CHARS,
    MAX_TITLE_CHARS,
    TOPICS,
    valid_thread_id,
)
from counsellor_console.network.experts_store import (
    ExpertsStore,
    ThreadClosedError,
    ThreadFullError,
)
from counsellor_console.network.web import BASE_PATH, forbidden, guard, read_form, render, see_other
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.web.staff_pages import StaffGate
from security.roles import StaffIdentity

log = structlog.get_logger(__name__)

EXPERTS_PATH: Final = f"{BASE_PATH}/experts"


def checked_digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _review(form: dict[str, str], *parts: str) -> tuple[list[Finding], bool]:
    """(findings, may post): findings stop a post unless confirmed for this very text."""
    findings = [f for part in parts for f in check_text(part)]
    confirmed = form.get("confirm") == "1" and form.get("checked") == checked_digest(*parts)
    return findings, not findings or confirmed


def _too_long(title: str, text: str) -> str | None:
    if len(title) > MAX_TITLE_CHARS:
        return f"Rubriken får vara högst {MAX_TITLE_CHARS} tecken."
    if len(text) > MAX_POST_CHARS:
        return f"Inlägget får vara högst {MAX_POST_CHARS} tecken."
    return None


def create_experts_routes(gate: StaffGate, store: ExpertsStore, audit: AuditLog) -> list[BaseRoute]:
    async def index(request: Request, staff: StaffIdentity, **form: object) -> Response:
        topic = request.query_params.get("topic", "")
        threads = [t for t in await store.threads() if not topic or t.topic == topic]
        context = {
            "title": "",
            "text": "",
            "topic": topic,
            "findings": [],
            "checked": "",
            "error": None,
            **form,
        }
        status = 422 if context["findings"] or context["error"] else 200
        return render(
            "experts.html", status, staff=staff, threads=threads, topics=TOPICS, **context
        )

    async def start(request: Request, staff: StaffIdentity) -> Response:
        form = await read_form(request)
        topic, title = form.get("topic", ""), form.get("title", "").strip()
        text = form.get("text", "").strip()
        error = _too_long(title, text)
        if topic not in TOPICS or not title or not text:
            error = "Välj ämne och skriv rubrik och inlägg."
        if error:
            return await index(request, staff, topic=topic, title=title, text=text, error=error)
        findings, may_post = _review(form, title, text)
        if not may_post:
            log.info("network_post_held", findings=len(findings))
            return await index(
                request,
                staff,
                topic=topic,
                title=title,
                text=text,
                findings=findings,
                checked=checked_digest(title, text),
            )
        try:
            thread_id = await store.start_thread(staff, topic, title, text)
        except ThreadFullError:
            return PlainTextResponse("Expertrummet är fullt.", status_code=507)
        kinds = sorted({f.kind.value for f in findings})
        await audit.record(
            ThreadStarted(staff=staff.username, thread=thread_id, topic=topic, confirmed=kinds)
        )
        return see_other(f"{EXPERTS_PATH}/{thread_id}")

    async def show(request: Request, staff: StaffIdentity, **form: object) -> Response:
        thread_id = request.path_params["thread"]
        thread = await store.thread(thread_id) if valid_thread_id(thread_id) else None
        if thread is None:
            return PlainTextResponse("Not found", status_code=404)
        context = {"text": "", "findings": [], "checked": "", "error": None, **form}
        status = 422 if context["findings"] or context["error"] else 200
        return render(
            "thread.html",
            status,
            staff=staff,
            thread=thread,
            posts=await store.posts(thread_id),
            may_close=may_close_thread(staff, thread.starter),
            **context,
        )

    async def reply(request: Request, staff: StaffIdentity) -> Response:
        thread_id = request.path_params["thread"]
        if not valid_thread_id(thread_id) or await store.thread(thread_id) is None:
            return PlainTextResponse("Not found", status_code=404)
        form = await read_form(request)
        text = form.get("text", "").strip()
        if not text or len(text) > MAX_POST_CHARS:
            return await show(
                request, staff, text=text, error="Skriv ett inlägg (högst 8000 tecken)."
            )
        findings, may_post = _review(form, text)
        if not may_post:
            log.info("network_post_held", findings=len(findings))
            return await show(
                request, staff, text=text, findings=findings, checked=checked_digest(text)
            )
        try:
            seq = await store.add_post(staff, thread_id, text)
        except (ThreadClosedError, ThreadFullError):
            return PlainTextResponse("Tråden tar inte emot fler inlägg.", status_code=409)
        kinds = sorted({f.kind.value for f in findings})
        await audit.record(
            PostAdded(staff=staff.username, thread=thread_id, seq=seq, confirmed=kinds)
        )
        return see_other(f"{EXPERTS_PATH}/{thread_id}#post-{seq}")

    async def close(request: Request, staff: StaffIdentity) -> Response:
        thread_id = request.path_params["thread"]
        thread = await store.thread(thread_id) if valid_thread_id(thread_id) else None
        if thread is None:
            return PlainTextResponse("Not found", status_code=404)
        if not may_close_thread(staff, thread.starter):
            return forbidden()
        await store.close(thread_id)
        await audit.record(ThreadClosed(staff=staff.username, thread=thread_id))
        return see_other(f"{EXPERTS_PATH}/{thread_id}")

    async def show_page(request: Request, staff: StaffIdentity) -> Response:
        return await show(request, staff)

    async def index_page(request: Request, staff: StaffIdentity) -> Response:
        return await index(request, staff)

    allowed = may_use_network
    return [
        Route(EXPERTS_PATH, guard(gate, allowed, index_page), methods=["GET"]),
        Route(EXPERTS_PATH, guard(gate, allowed, start), methods=["POST"]),
        Route(EXPERTS_PATH + "/{thread}", guard(gate, allowed, show_page), methods=["GET"]),
        Route(EXPERTS_PATH + "/{thread}/posts", guard(gate, allowed, reply), methods=["POST"]),
        Route(EXPERTS_PATH + "/{thread}/close", guard(gate, allowed, close), methods=["POST"]),
    ]
