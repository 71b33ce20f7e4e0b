"""Every listed language over the real socket (issue 12): `hello` in it is accepted and the
reporting-duty notice comes in it; an unlisted code is `bad_field` `lang`."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat.domain.languages import LANGUAGE_CODES
from tests.support.clients import Peers, hello
from tests.support.server import RunningServer

CONTENT = Path(__file__).resolve().parents[2] / "chat" / "content"


async def test_notice_comes_in_the_language_of_hello(fresh: RunningServer, peers: Peers) -> None:
    seen: dict[str, str] = {}
    for lang in LANGUAGE_CODES:
        visitor = await peers.visitor(fresh)
        await visitor.send(hello(age="under18", lang=lang))
        await visitor.expect("welcome")
        text = (await visitor.expect("notice", id="reporting-duty"))["text"]
        file = CONTENT / f"reporting-duty.{lang}.txt"
        assert text == file.read_text(encoding="utf-8").strip(), lang
        seen[lang] = text
        await visitor.send({"type": "end"})
    assert len(set(seen.values())) == len(LANGUAGE_CODES)  # seven different texts


@pytest.mark.parametrize("lang", ["fi", "kmr", "SV"])
async def test_unlisted_language_is_refused(fresh: RunningServer, peers: Peers, lang: str) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send(hello(lang=lang))
    await visitor.expect("error", code="bad_field", field="lang")
