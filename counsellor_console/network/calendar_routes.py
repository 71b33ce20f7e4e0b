"""The calendar over HTTP: the public page, feed and talk form, and the staff's planning.

Public side (``/calendar``, ``/calendar.ics``, ``POST /calendar/talk``): a visitor path, so
no cookie is ever set (security/headers.py strips any), no-store, the CSP, nothing from
another origin. It never asks who is there: a staff member sees exactly what the public sees.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

import structlog
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from counsellor_console.network.access import may_plan, may_use_network
from counsellor_console.network.agenda import (
    KINDS,
    TALK_FIELDS,
    EventFormError,
    event_from_form,
    new_event_id,
    render_ics,
    talk_request_from_form,
)
from counsellor_console.network.agenda_store import AgendaStore, TalkInboxFullError
from counsellor_console.network.audit_events import (
    EventDeleted,
    EventSaved,
    TalkRequestAnswered,
)
from counsellor_console.network.web import (
    BASE_PATH,
    FormTooLargeError,
    guard,
    read_form,
    render,
    see_other,
)
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.web.staff_pages import StaffGate
from kb.article import DEFAULT_LANG
from kb.pages import DEFAULT_CHROME, LANG_NAMES, PageChrome, ui_words
from security.roles import StaffIdentity

log = structlog.get_logger(__name__)

PUBLIC_PATH: Final = "/calendar"
PUBLIC_FEED_PATH: Final = "/calendar.ics"
TALK_PATH: Final = "/calendar/talk"
STAFF_PATH: Final = f"{BASE_PATH}/calendar"
PARTNERS_FEED_PATH: Final = f"{BASE_PATH}/calendar/partners.ics"
ICS_TYPE: Final = "text/calendar; charset=utf-8"


def _ics(body: bytes, name: str) -> Response:
    return Response(
        body,
        media_type=ICS_TYPE,
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


def create_calendar_routes(
    gate: StaffGate, store: AgendaStore, audit: AuditLog, chrome: PageChrome = DEFAULT_CHROME
) -> list[BaseRoute]:
    def public_page(status: int = 200, **context: object) -> Response:
        return render(
            "calendar_public.html",
            status,
            lang=DEFAULT_LANG,
            dir="ltr",
            ui=ui_words(DEFAULT_LANG),
            lang_names=LANG_NAMES,
            exit_url=chrome.exit_url,
            head_scripts=Markup(chrome.head_html),  # noqa: S704 -- our files, read at start-up
            talk_fields=TALK_FIELDS,
            **context,
        )

    async def public(request: Request) -> Response:
        events = await store.events(public_only=True, past_days=0)
        return public_page(
            events=events, sent=request.query_params.get("sent") == "1", error=None, values={}
        )

    async def public_feed(request: Request) -> Response:
        events = await store.events(public_only=True)
        return _ics(render_ics(events, "Fristad", datetime.now(tz=UTC)), "fristad.ics")

    async def talk(request: Request) -> Response:
        events = await store.events(public_only=True, past_days=0)
        try:
            form = await read_form(request)
            fields = talk_request_from_form(form)
            await store.add_talk_request(fields)
        except FormTooLargeError:
            return PlainTextResponse("Texten är för lång.", status_code=413)
        except EventFormError as exc:
            values = {k: form.get(k, "")[:2000] for k in TALK_FIELDS}
            return public_page(422, events=events, sent=False, error=str(exc), values=values)
        except TalkInboxFullError:
            log.warning("network_talk_inbox_full")
            return public_page(
                503,
                events=events,
                sent=False,
                values={},
                error="Just nu kan vi inte ta emot fler förfrågningar. Försök igen senare.",
            )
        log.info("network_talk_requested")
        return see_other(f"{PUBLIC_PATH}?sent=1#talk")

    async def staff_page(
        request: Request, staff: StaffIdentity, status: int = 200, **context: object
    ) -> Response:
        return render(
            "calendar_staff.html",
            status,
            staff=staff,
            kinds=KINDS,
            events=await store.events(public_only=False),
            talks=await store.talk_requests(),
            talk_fields=TALK_FIELDS,
            **{"error": None, "editing": None, **context},
        )

    async def overview(request: Request, staff: StaffIdentity) -> Response:
        editing = None
        if edit_id := request.query_params.get("edit"):
            editing = await store.event(edit_id[:32])
        return await staff_page(request, staff, editing=editing)

    async def save(request: Request, staff: StaffIdentity) -> Response:
        form = await read_form(request)
        event_id = form.get("id", "")[:32] or new_event_id()
        try:
            event = event_from_form(form, event_id, staff.username)
        except EventFormError as exc:
            return await staff_page(request, staff, 422, error=str(exc))
        if not await store.save_event(event):
            return await staff_page(request, staff, 507, error="Kalendern är full.")
        await audit.record(
            EventSaved(staff=staff.username, event=event.id, audience=event.audience.value)
        )
        return see_other(STAFF_PATH)

    async def delete(request: Request, staff: StaffIdentity) -> Response:
        event_id = request.path_params["event"][:32]
        if await store.delete_event(event_id):
            await audit.record(EventDeleted(staff=staff.username, event=event_id))
        return see_other(STAFF_PATH)

    async def answered(request: Request, staff: StaffIdentity) -> Response:
        request_id = request.path_params["request"][:32]
        if not await store.mark_answered(request_id, staff.username):
            return PlainTextResponse("Not found", status_code=404)
        await audit.record(TalkRequestAnswered(staff=staff.username, request=request_id))
        return see_other(STAFF_PATH + "#talks")

    async def partners_feed(request: Request, staff: StaffIdentity) -> Response:
        events = await store.events(public_only=False)
        body = render_ics(events, "Fristad, partner", datetime.now(tz=UTC))
        return _ics(body, "fristad-partner.ics")

    return [
        Route(PUBLIC_PATH, public, methods=["GET"]),
        Route(PUBLIC_FEED_PATH, public_feed, methods=["GET"]),
        Route(TALK_PATH, talk, methods=["POST"]),
        Route(STAFF_PATH, guard(gate, may_plan, overview), methods=["GET"]),
        Route(STAFF_PATH + "/events", guard(gate, may_plan, save), methods=["POST"]),
        Route(
            STAFF_PATH + "/events/{event}/delete", guard(gate, may_plan, delete), methods=["POST"]
        ),
        Route(
            STAFF_PATH + "/talks/{request}/answered",
            guard(gate, may_plan, answered),
            methods=["POST"],
        ),
        Route(PARTNERS_FEED_PATH, guard(gate, may_use_network, partners_feed), methods=["GET"]),
    ]
