"""A partner's own page, their entry's proposals, and the centre's review (issue 13).

``/partner`` is for partner accounts only: their organisation's entry, when it was last
confirmed (a reminder when it is due), a form that proposes a change and a button that
confirms it unchanged. A partner can only ever touch the organisation their account is bound
to: another id is 403. ``/console/directory/review`` is the centre's (supervisors, admins):
each proposal next to the entry, changed fields marked, approved or rejected with a note.
Every POST passes the CSRF middleware like every staff form; every decision is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from counsellor_console.domain.directory import DirectoryRowError
from counsellor_console.domain.partner_audit import (
    EntryConfirmed,
    EntryProposed,
    ProposalApproved,
    ProposalRejected,
)
from counsellor_console.domain.partner_entries import (
    EDITABLE,
    changes,
    confirmed,
    is_due,
    proposed_org,
)
from counsellor_console.domain.staff_language import N_, Said
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.directory_store import DirectoryStore
from counsellor_console.stores.partner_store import MAX_NOTE_CHARS, ProposalStore
from counsellor_console.web.staff_pages import TEMPLATES, StaffGate, staff_page
from security.roles import StaffIdentity

PARTNER_PATH: Final = "/partner"
REVIEW_PATH: Final = "/console/directory/review"
MAX_ORG_ID_CHARS: Final = 64


def _forbidden() -> Response:
    return PlainTextResponse("Forbidden", status_code=403)


def _today() -> Any:
    return datetime.now(tz=UTC).date()


def create_partner_routes(
    gate: StaffGate,
    directory: DirectoryStore,
    proposals: ProposalStore,
    audit: AuditLog,
    *,
    today: Callable[[], Any] = _today,
) -> list[BaseRoute]:
    def own(handler: Any) -> Callable[[Request], Any]:
        """Partners only, and only for the organisation their account is bound to."""

        async def check(request: Request, staff: StaffIdentity) -> Response:
            org_id = str(request.path_params.get("org_id", staff.org_id))
            if not staff.is_partner or not staff.org_id or org_id != staff.org_id:
                return _forbidden()
            response: Response = await handler(request, staff)
            return response

        return staff_page(gate, check, partners=True)

    async def partner_page(
        request: Request, staff: StaffIdentity, error: str | Said | None = None, status: int = 200
    ) -> Response:
        org = await directory.get(staff.org_id)
        if org is None:
            return PlainTextResponse("Not Found", status_code=404)
        context = {
            "staff": staff,
            "csrf_token": staff.csrf_token,
            "org": org,
            "fields": [(name, label, getattr(org, name)) for name, label in EDITABLE],
            "due": is_due(org, today()),
            "pending": await proposals.get(org.id),
            "answer": await proposals.last_answer(org.id),
            "error": error,
        }
        return TEMPLATES.TemplateResponse(request, "partner.html", context, status_code=status)

    async def show(request: Request, staff: StaffIdentity) -> Response:
        return await partner_page(request, staff)

    async def propose(request: Request, staff: StaffIdentity) -> Response:
        current = await directory.get(staff.org_id)
        if current is None:
            return PlainTextResponse("Not Found", status_code=404)
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            proposal = proposed_org(current, form)
        except DirectoryRowError as exc:
            return await partner_page(request, staff, exc.said, 422)
        changed = [c.field for c in changes(current, proposal) if c.changed]
        if not changed:
            return await partner_page(request, staff, N_("Inget är ändrat."), 422)
        await proposals.propose(proposal, staff.username)
        await audit.record(
            EntryProposed(staff=staff.username, org=current.id, fields=",".join(changed))
        )
        return RedirectResponse(PARTNER_PATH, status_code=303)

    async def confirm(request: Request, staff: StaffIdentity) -> Response:
        current = await directory.get(staff.org_id)
        if current is None:
            return PlainTextResponse("Not Found", status_code=404)
        await directory.upsert([confirmed(current, today())])
        await audit.record(EntryConfirmed(staff=staff.username, org=current.id))
        return RedirectResponse(PARTNER_PATH, status_code=303)

    async def review(request: Request, staff: StaffIdentity) -> Response:
        items = []
        for proposal in await proposals.pending():
            current = await directory.get(proposal.org.id)
            if current is not None:
                items.append((proposal, changes(current, proposal.org)))
        context = {"staff": staff, "csrf_token": staff.csrf_token, "items": items}
        return TEMPLATES.TemplateResponse(request, "directory_review.html", context)

    async def decide(request: Request, staff: StaffIdentity) -> Response:
        org_id = str(request.path_params["org_id"])[:MAX_ORG_ID_CHARS]
        form = await request.form()
        action = str(form.get("action") or "")
        note = str(form.get("note") or "").strip()[:MAX_NOTE_CHARS]
        proposal = await proposals.get(org_id)
        if action not in ("approve", "reject"):
            return PlainTextResponse("Bad Request", status_code=400)
        if proposal is None or await directory.get(org_id) is None:
            return PlainTextResponse("Not Found", status_code=404)
        outcome = "approved" if action == "approve" else "rejected"
        if not await proposals.answer(org_id, outcome, note, staff.username):
            return PlainTextResponse("Not Found", status_code=404)
        if action == "approve":
            await directory.upsert([confirmed(proposal.org, today())])
            await audit.record(ProposalApproved(staff=staff.username, org=org_id, by=proposal.by))
        else:
            await audit.record(ProposalRejected(staff=staff.username, org=org_id, by=proposal.by))
        return RedirectResponse(REVIEW_PATH, status_code=303)

    return [
        Route(PARTNER_PATH, own(show), methods=["GET"]),
        Route(PARTNER_PATH + "/entry/{org_id}", own(propose), methods=["POST"]),
        Route(PARTNER_PATH + "/confirm/{org_id}", own(confirm), methods=["POST"]),
        Route(REVIEW_PATH, staff_page(gate, review, supervise=True), methods=["GET"]),
        Route(
            REVIEW_PATH + "/{org_id}", staff_page(gate, decide, supervise=True), methods=["POST"]
        ),
    ]
