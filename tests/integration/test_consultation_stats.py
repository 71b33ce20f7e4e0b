"""What a counsellor records about a professional's consultation, and warm hand-offs, feed the
follow-up statistics (issue 3) — without personal data."""

from __future__ import annotations

import asyncio
import time

from tests.integration.conftest import Team
from tests.integration.test_stats import fetch_csv, rows_of
from tests.support.clients import Peers, accept


async def rows_once_counted(team: Team, key: tuple[str, str]) -> dict[tuple[str, str], str]:
    """The export's rows once ``key`` is in them: a counter is written just after the frame the
    test waits for (the chat first, then its statistics), so the export may lag it a moment."""
    deadline = time.monotonic() + 5
    while True:
        rows = rows_of(fetch_csv(team))
        if key in rows or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.05)


async def test_consultation_profession_and_kommun_are_counted(team: Team, peers: Peers) -> None:
    console = await peers.console(team.server, team.http["anna"])
    for _ in range(5):
        visitor, chat = await peers.queued(team.server, channel="professional")
        await accept(console, chat)
        await console.send(
            {
                "type": "end",
                "chat": chat,
                "reasons": ["control"],
                "profession": "school",
                "kommun": "0180",
            }
        )
        await console.expect("ended", chat=chat)
        await visitor.expect("ended")
    rows = await rows_once_counted(team, ("consultations_kommun", "0180"))
    assert rows[("consultations_profession", "school")] == "5"
    assert rows[("consultations_kommun", "0180")] == "5"


async def test_bad_consultation_fields_are_refused(team: Team, peers: Peers) -> None:
    console = await peers.console(team.server, team.http["anna"])
    _visitor, chat = await peers.queued(team.server, channel="professional")
    await accept(console, chat)
    await console.send({"type": "end", "chat": chat, "reasons": [], "profession": "astronaut"})
    await console.expect("error", code="bad_field", field="profession")
    await console.send({"type": "end", "chat": chat, "reasons": [], "kommun": "Stockholm"})
    await console.expect("error", code="bad_field", field="kommun")


async def test_hand_backs_to_the_queue_are_counted(team: Team, peers: Peers) -> None:
    console = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server)
    await accept(console, chat)
    await console.send({"type": "transfer", "chat": chat, "to": "queue"})
    await visitor.expect("queued", position=1)
    rows = await rows_once_counted(team, ("handoffs", "queue"))
    assert rows[("handoffs", "queue")] == "<5"


async def test_reasons_are_recorded_after_the_visitor_left(team: Team, peers: Peers) -> None:
    console = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server)
    await accept(console, chat)
    await visitor.send({"type": "exit"})
    await console.expect("visitor_left", chat=chat, how="exit")
    await console.send({"type": "end", "chat": chat, "reasons": ["housing"]})
    ended = await console.expect("ended", chat=chat)
    assert ended["by"] == "visitor"
    # Once only: a second end for the same chat records nothing more.
    await console.send({"type": "end", "chat": chat, "reasons": ["housing"]})
    await console.expect("ended", chat=chat)
    rows = rows_of(fetch_csv(team))
    assert rows[("end_reason", "housing")] == "<5"
