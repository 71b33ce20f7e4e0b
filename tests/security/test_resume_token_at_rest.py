"""docs/security.md: the resume token lets whoever holds it take over a chat, so Redis keeps
only its SHA-256. An arriving visitor's token is written with the chat itself, in one MULTI
(chat/stores/store.py ``create_visitor_chat``), and a fresh one after every resume; a dump of Redis
must give away neither."""

from __future__ import annotations

from tests.security.redis_traces import traces
from tests.support.clients import Peers, hello
from tests.support.server import RunningServer


async def test_the_resume_token_is_kept_only_as_its_hash(
    fresh: RunningServer, peers: Peers
) -> None:
    visitor, welcome = await peers.chat(fresh)
    await visitor.expect("queued")
    first = str(welcome["token"])
    assert len(first) >= 20  # positive control: a real token to look for
    assert traces(fresh.redis_url, (first,)) == []

    await visitor.close()
    again = await peers.visitor(fresh)
    await again.send(hello(resume={"token": first, "last_seq": 0}))
    second = str((await again.expect("welcome"))["token"])
    assert second != first
    await again.expect("queued")
    assert traces(fresh.redis_url, (first, second)) == []
