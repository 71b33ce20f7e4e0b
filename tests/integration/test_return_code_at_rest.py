"""A return code given during a chat is kept with the chat only sealed under its data key:
while the chat lives, no word sequence of the code is anywhere in Redis in clear; after the
end the sealed copy is gone with the key."""

from __future__ import annotations

import unicodedata

from tests.integration.conftest import Team
from tests.integration.test_encryption_at_rest import all_elements
from tests.support.clients import Peers, accept


def code_forms(code: str) -> list[bytes]:
    """The code, and every pair of its consecutive words, as typed or folded, any case."""
    words = code.lower().replace("-", " ").split()
    folded = [
        "".join(c for c in unicodedata.normalize("NFD", w) if not unicodedata.combining(c))
        for w in words
    ]
    forms: set[str] = set()
    for spelling in (words, folded):
        for sep in (" ", "-", ""):
            forms.add(sep.join(spelling))
            forms.update(sep.join(spelling[i : i + 2]) for i in range(len(spelling) - 1))
    return [f.encode() for f in forms] + [f.upper().encode() for f in forms]


def hits(elements: list[bytes], forms: list[bytes]) -> list[bytes]:
    return [
        form
        for form in forms
        if any(form in element.lower() or form in element for element in elements)
    ]


async def test_a_code_given_during_a_chat_is_never_in_clear(
    team: Team, peers: Peers, redis_url: str
) -> None:
    visitor, chat = await peers.queued(team.server)
    console = await peers.console(team.server, team.http["anna"])
    await accept(console, chat)
    await visitor.send({"type": "return_code"})
    code = (await visitor.expect("return_code"))["code"]
    forms = code_forms(code)

    assert hits(await all_elements(redis_url), forms) == []  # live: sealed only

    await console.send({"type": "end", "chat": chat, "reasons": []})
    await visitor.expect("ended")
    assert hits(await all_elements(redis_url), forms) == []  # ended: the seal is gone too
    again, welcome = await peers.chat(team.server, return_code=code)
    assert welcome["session"]["number"] == 2  # and the code still works
    await again.expect("queued")
