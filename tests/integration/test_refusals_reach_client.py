"""Every refusal that was queued reaches the client before the 1008 close (issue 8).

The close used to race the outbox: a flood got its first answers, then the close frame, and
the queued `rate_limited` errors died with the socket. It is a race, so each endpoint is
flooded many times on fresh connections at the default rates (visitor 10/s, burst 20;
console 100/s, burst 200).
"""

from __future__ import annotations

import contextlib
import json

from websockets.exceptions import ConnectionClosed

from tests.integration.conftest import Team
from tests.support.clients import WsClient, connect_console, connect_visitor
from tests.support.server import RunningServer

VISITOR_ROUNDS = 25
CONSOLE_ROUNDS = 8


async def flood_then_read(client: WsClient, frame: str, count: int) -> list[str]:
    """Send ``count`` copies of ``frame`` at once, then read every frame until the close;
    returns the error codes in arrival order."""
    with contextlib.suppress(ConnectionClosed):
        for _ in range(count):
            await client.ws.send(frame)
    codes: list[str] = []
    with contextlib.suppress(ConnectionClosed):
        while True:
            received = json.loads(await client.ws.recv())
            if received.get("type") == "error":
                codes.append(received["code"])
    return codes


async def test_visitor_flood_gets_rate_limited_before_1008(fresh: RunningServer) -> None:
    for round_ in range(VISITOR_ROUNDS):
        visitor = await connect_visitor(fresh)
        codes = await flood_then_read(visitor, "this is not json", 100)
        assert visitor.ws.close_code == 1008, (round_, visitor.ws.close_code)
        assert "bad_frame" in codes, (round_, codes)
        assert "rate_limited" in codes, f"round {round_}: closed with no warning: {codes}"
        # The bucket's burst answered first, then the refusals; nothing was lost between.
        assert codes.index("rate_limited") >= codes.count("bad_frame"), codes


async def test_console_flood_gets_rate_limited_before_1008(team: Team) -> None:
    frame = json.dumps({"type": "typing", "chat": "nochat"})
    for round_ in range(CONSOLE_ROUNDS):
        console = await connect_console(team.server, team.http["anna"])
        codes = await flood_then_read(console, frame, 1000)
        assert console.ws.close_code == 1008, (round_, console.ws.close_code)
        assert "rate_limited" in codes, f"round {round_}: closed with no warning: {codes}"
