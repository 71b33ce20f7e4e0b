"""The audit log, and a supervisor reading a chat they do not hold (read only, audited)."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.clients import accept, connect_console, login, start_chat
from tests.support.server import RunningServer, StaffCredentials


async def test_supervisor_reads_a_chat_read_only_and_it_is_audited(
    fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    counsellor = staff("counsellor", name="Sam")
    supervisor = staff("supervisor", name="Alex")
    sam_http, alex_http = login(fresh, counsellor), login(fresh, supervisor)
    sam = await connect_console(fresh, sam_http)
    alex = await connect_console(fresh, alex_http)
    visitor, welcome = await start_chat(fresh)
    chat = welcome["chat"]
    await visitor.expect("queued")
    await accept(sam, chat)
    await visitor.send({"type": "msg", "id": "v1", "text": "hej"})
    await visitor.expect("ack", id="v1")

    await alex.send({"type": "watch", "chat": chat})
    assigned = await alex.expect("assigned", chat=chat)
    assert assigned["age"] == "18plus"
    await alex.expect("msg", chat=chat, text="hej")
    # Live messages reach the supervisor too, but they cannot write into the chat.
    await visitor.send({"type": "msg", "id": "v2", "text": "är du kvar?"})
    await alex.expect("msg", chat=chat, text="är du kvar?")
    await alex.send({"type": "msg", "chat": chat, "id": "a1", "text": "supervisor here"})
    await alex.expect("error", code="not_yours", chat=chat)
    await visitor.expect_none("msg", within=0.3, where={"text": "supervisor here"})

    events = alex_http.get("/api/admin/audit").json()["events"]
    watched = [e for e in events if e["kind"] == "chat_watched"]
    assert watched
    assert watched[0]["staff"] == supervisor.username
    assert watched[0]["chat"] == chat
    assert watched[0]["holder"] == counsellor.username
    for peer in (sam, alex, visitor):
        await peer.close()
    sam_http.close()
    alex_http.close()


async def test_a_counsellor_cannot_watch(
    fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    sam_http, bo_http = login(fresh, staff("counsellor")), login(fresh, staff("counsellor"))
    sam = await connect_console(fresh, sam_http)
    bo = await connect_console(fresh, bo_http)
    visitor, welcome = await start_chat(fresh)
    await visitor.expect("queued")
    await accept(sam, welcome["chat"])
    await bo.send({"type": "watch", "chat": welcome["chat"]})
    await bo.expect("error", code="forbidden", chat=welcome["chat"])
    await bo.expect_none("assigned", within=0.3)
    assert bo_http.get("/api/admin/audit").status_code == 403
    for peer in (sam, bo, visitor):
        await peer.close()
    sam_http.close()
    bo_http.close()


def test_logins_logouts_and_accounts_are_audited(
    fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    supervisor = staff("supervisor")
    counsellor = staff("counsellor")
    http = login(fresh, counsellor)
    http.post("/console/logout")
    http.close()
    admin = login(fresh, supervisor)
    audit = admin.get("/api/admin/audit").json()["events"]
    admin.close()
    kinds = {(e["kind"], e.get("staff"), e.get("username")) for e in audit}
    assert ("user_added", "cli", counsellor.username) in kinds
    assert ("logged_in", counsellor.username, None) in kinds
    assert ("logged_out", counsellor.username, None) in kinds
    assert ("logged_in", supervisor.username, None) in kinds
    # Nothing a visitor wrote, and no password, is ever in the audit log.
    text = str(audit)
    assert counsellor.password not in text
