"""The console socket's view of the chats it watches, in process on a real Redis."""

from __future__ import annotations

from importlib import resources

from chat.live.visitor_endpoint import VisitorEndpoint
from chat.live.visitor_socket import VisitorSocket
from chat.operations.events import to_chat_staff
from chat.wire.inbound import Hello
from counsellor_console.domain.directory_csv import parse_directory_csv
from counsellor_console.live.console_endpoint import ConsoleEndpoint
from counsellor_console.live.console_socket import ConsoleSocket
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.directory_store import DirectoryStore
from counsellor_console.stores.revocation_store import ConsoleSockets
from counsellor_console.stores.store import StaffStore
from counsellor_console.web.csrf import CsrfTokens
from counsellor_console.web.staff_pages import StaffGate
from security.roles import Role, StaffIdentity
from tests.core.conftest import MASTER_KEY, AsgiPeer, Core

ANNA = StaffIdentity("anna", "Anna", Role.COUNSELLOR)


def console_endpoint(core: Core, directory: DirectoryStore | None = None) -> ConsoleEndpoint:
    return ConsoleEndpoint(
        core.ops,
        StaffGate(
            staff := StaffStore(core.redis, MASTER_KEY),
            csrf=CsrfTokens(b"c" * 32),
            sockets=ConsoleSockets(core.redis, staff.sessions),
            address_key=str,
        ),
        allowed_origins=(),
        rate=(100.0, 200),
        directory=directory,
        audit=AuditLog(core.redis),
    )


async def test_a_chat_let_go_leaves_nothing_behind(core: Core) -> None:
    """Each chat a console ever watched kept its seq tracker for the socket's life (issue 9);
    a released, transferred or ended chat must leave neither a tracker nor a watcher."""
    peer = AsgiPeer()
    socket = ConsoleSocket(await peer.accepted(), ANNA, console_endpoint(core))
    let_go = ("released", "ended", "transferred_out", "visitor_left")
    chats = [await core.ops.open_chat(Hello("youth", "sv", "18plus")) for _ in let_go]
    for chat in chats:
        await socket.open_chat_view(chat)
        await peer.frame("assigned")
    assert socket.connection.tracked_chats() == {c.id for c in chats}

    for chat, kind in zip(chats, let_go, strict=True):
        await core.hub.publish({"type": kind, "chat": chat.id}, [to_chat_staff(chat.id)])
        assert (await peer.frame(kind))["chat"] == chat.id
    assert socket.watching == set()
    assert socket.connection.tracked_chats() == frozenset()
    await socket.stop()


async def test_a_referral_is_stored_before_it_is_announced(core: Core) -> None:
    """Store first, then announce (issue 9): the card's system message reaches the visitor
    before the `referral` frame, so a page that misses the frame still has the card."""
    orgs = parse_directory_csv(
        resources.files("counsellor_console")
        .joinpath("data", "directory_stockholm.csv")
        .read_text(encoding="utf-8")
    ).orgs
    directory = DirectoryStore(core.redis)
    await directory.replace_all(orgs[:1])
    visitor_peer = AsgiPeer("/ws/visit")
    visitor = VisitorSocket(
        await visitor_peer.accepted(), VisitorEndpoint(core.ops, allowed_origins=(), rate=(10, 20))
    )
    await visitor.handle(Hello("youth", "sv", "18plus"))
    await visitor_peer.frame("queued")
    assert visitor.chat is not None
    chat = await core.ops.accept(visitor.chat.id, ANNA)
    assert chat is not None
    await visitor_peer.frame("joined")
    endpoint = console_endpoint(core, directory)
    console_peer = AsgiPeer()
    console = ConsoleSocket(await console_peer.accepted(), ANNA, endpoint)
    await console.open_chat_view(chat)

    await endpoint.refer(console, chat, orgs[0].id)
    seen = await visitor_peer.frames_until("referral")
    stored = [f for f in seen if f["type"] == "msg" and f["from"] == "system"]
    assert stored, f"the card's message came after the referral frame: {seen}"
    assert orgs[0].name in stored[-1]["text"]
    assert (await console_peer.frame("referred"))["org"] == orgs[0].id
    await console.stop()
    await visitor.disconnected()
