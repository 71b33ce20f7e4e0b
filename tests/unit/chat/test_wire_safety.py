"""Parsing Console 1.1's safety and supervision frames, and the urgent band of the queue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chat.domain.protocol import ChatState
from chat.domain.records import ChatRecord, QueueItem
from chat.domain.urgency import is_urgent_score, urgent_score
from chat.wire import outbound as frames
from chat.wire.inbound import Block, Escalate, FrameError, Hello, RiskUpdate, Urgent, Whisper
from chat.wire.parse import parse_console_frame, parse_visitor_frame


def console(obj: dict[str, Any]) -> object:
    return parse_console_frame(json.dumps(obj))


def refused(obj: dict[str, Any], *, visitor: bool = False) -> FrameError:
    with pytest.raises(FrameError) as caught:
        (parse_visitor_frame if visitor else parse_console_frame)(json.dumps(obj))
    return caught.value


def test_whisper_escalate_block_and_risk_parse() -> None:
    assert console({"type": "whisper", "chat": "c1", "text": "psst"}) == Whisper("c1", "psst")
    assert console({"type": "escalate", "chat": "c1", "level": "acute"}) == Escalate("c1", "acute")
    assert console({"type": "block", "chat": "c1"}) == Block("c1")
    assert console({"type": "risk", "chat": "c1"}) == RiskUpdate("c1")
    got = console({"type": "risk", "chat": "c1", "answers": {"minor": "yes"}, "count": True})
    assert got == RiskUpdate("c1", {"minor": "yes"}, True)


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ({"type": "whisper", "chat": "c1", "text": " \n "}, "text"),
        ({"type": "whisper", "chat": "c1", "text": "x" * 4001}, "text"),
        ({"type": "whisper", "chat": "c1"}, "text"),
        ({"type": "whisper", "text": "hej"}, "chat"),
        ({"type": "escalate", "chat": "c1", "level": "urgent"}, "level"),
        ({"type": "escalate", "chat": "c1"}, "level"),
        ({"type": "block"}, "chat"),
        ({"type": "risk", "chat": "c1", "answers": ["minor"]}, "answers"),
        ({"type": "risk", "chat": "c1", "answers": {"minor": 1}}, "answers"),
        ({"type": "risk", "chat": "c1", "count": "yes"}, "count"),
    ],
)
def test_bad_fields_are_named(obj: dict[str, Any], field: str) -> None:
    error = refused(obj)
    assert (error.code, error.field) == ("bad_field", field)


def test_urgent_from_a_visitor() -> None:
    assert parse_visitor_frame('{"type":"urgent"}') == Urgent()
    hello = {"type": "hello", "v": 1, "channel": "youth", "lang": "sv", "age": "unsaid"}
    parsed = parse_visitor_frame(json.dumps({**hello, "urgent": True}))
    assert isinstance(parsed, Hello)
    assert parsed.urgent is True
    plain = parse_visitor_frame(json.dumps(hello))
    assert isinstance(plain, Hello)
    assert plain.urgent is False
    for bad in ("yes", 1, None):
        error = refused({**hello, "urgent": bad}, visitor=True)
        assert (error.code, error.field) == ("bad_field", "urgent")


def test_the_urgent_band_sorts_first_and_shows() -> None:
    now = 1_800_000_000_000
    assert urgent_score(now + 10**9) < now - 10**9  # a newer urgent chat before an old plain one
    assert urgent_score(now) < urgent_score(now + 1)  # oldest urgent first
    assert is_urgent_score(urgent_score(now))
    assert not is_urgent_score(now)
    assert not is_urgent_score(now - 10**12)  # a hand-back's score stays in its band
    record = ChatRecord("c1", ChatState.WAITING, "youth", "sv", "18plus")
    assert frames.queue_item(QueueItem(record, 0, urgent_score(now)), 5)["urgent"] is True
    assert "urgent" not in frames.queue_item(QueueItem(record, 0, now), 5)
