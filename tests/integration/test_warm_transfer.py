"""A warm hand-off to a colleague who is online: the chat, its transcript and the visitor
move over; the first counsellor can no longer write; only an online colleague qualifies."""

from __future__ import annotations

from tests.integration.conftest import Team
from tests.support.clients import Peers, accept


async def test_hand_off_to_an_online_colleague(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await visitor.expect("joined")
    await visitor.send({"type": "msg", "id": "v1", "text": "före överlämningen"})
    await visitor.expect("ack", id="v1")

    await anna.send({"type": "transfer", "chat": chat, "to": "bilal"})
    await anna.expect("transferred_out", chat=chat)
    assigned = await bilal.expect("assigned", chat=chat)
    # protocol.md 1.1: `from` is the sender's username (it was the display name before).
    assert assigned["from"] == "anna"
    await bilal.expect("msg", chat=chat, text="före överlämningen")
    joined = await visitor.expect("joined")
    assert joined["counsellor"] == team.display["bilal"]
    await visitor.expect("msg", where={"from": "system"})

    await anna.send({"type": "msg", "chat": chat, "id": "a1", "text": "fortfarande Anna"})
    await anna.expect("error", code="not_yours", chat=chat)
    await bilal.send({"type": "msg", "chat": chat, "id": "b1", "text": "Hej, Bilal här"})
    await bilal.expect("ack", id="b1")
    await visitor.expect("msg", text="Hej, Bilal här")


async def test_no_hand_off_to_someone_offline_or_to_oneself(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    for target in ("nobody-such", "anna"):
        await anna.send({"type": "transfer", "chat": chat, "to": target})
        await anna.expect("error", code="bad_field", field="to")
    await anna.send({"type": "msg", "chat": chat, "id": "a2", "text": "still mine"})
    await anna.expect("ack", id="a2")
    await visitor.expect("msg", text="still mine")


async def test_the_hand_over_is_told_in_the_visitors_language(team: Team, peers: Peers) -> None:
    """The hand-back was translated already; the hand-over was Swedish for everyone."""
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    visitor, chat = await peers.queued(team.server, lang="en")
    await accept(anna, chat)
    await visitor.expect("joined")
    await anna.send({"type": "transfer", "chat": chat, "to": "bilal"})
    await bilal.expect("assigned", chat=chat)
    told = await visitor.expect("msg", where={"from": "system"})
    assert told["text"] == f"{team.display['bilal']} is taking over the conversation."
