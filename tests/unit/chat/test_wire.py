"""Parsing client frames: accept or raise the protocol's error, nothing else."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat.wire.inbound import (
    MAX_TEXT_CHARS,
    Accept,
    ConsoleEnd,
    FrameError,
    Hello,
    VisitorFrame,
    VisitorMsg,
)
from chat.wire.parse import parse_console_frame, parse_visitor_frame

HELLO: dict[str, Any] = {
    "type": "hello",
    "v": 1,
    "channel": "youth",
    "lang": "sv",
    "age": "under18",
}


def _error(raw: str, console: bool = False) -> FrameError:
    with pytest.raises(FrameError) as excinfo:
        (parse_console_frame if console else parse_visitor_frame)(raw)
    return excinfo.value


class TestBadFrames:
    @pytest.mark.parametrize("raw", ["", "not json", "[]", "3", '"hello"', "{}", '{"type": 5}'])
    def test_bad_frame(self, raw: str) -> None:
        assert _error(raw).code == "bad_frame"

    def test_unknown_type(self) -> None:
        assert _error('{"type": "dance"}').code == "unknown_type"
        assert _error('{"type": "accept_all"}', console=True).code == "unknown_type"


class TestHello:
    def test_minimal(self) -> None:
        frame = parse_visitor_frame(json.dumps(HELLO))
        assert frame == Hello(channel="youth", lang="sv", age="under18")

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("v", None),
            ("v", 2),
            ("v", "1"),
            ("v", True),
            ("channel", "x"),
            ("lang", 5),
            ("lang", "Swedish"),
            ("age", "old"),
            ("topic", "not-a-topic"),
            ("gender", "x"),
            ("kommun", "18"),
            ("kommun", 180),
            ("kommun", "9999"),
            ("kommun", "0100"),
            ("profession", "astronaut"),
            ("resume", {"token": "t"}),
            ("resume", {"token": "", "last_seq": 0}),
            ("resume", {"token": "t", "last_seq": -1}),
            ("return_code", ""),
        ],
    )
    def test_bad_field_names_the_field(self, field: str, value: object) -> None:
        frame = {**HELLO, field: value}
        if value is None:
            del frame[field]
        error = _error(json.dumps(frame))
        assert (error.code, error.field) == ("bad_field", field)

    def test_optional_fields(self) -> None:
        frame = parse_visitor_frame(
            json.dumps({**HELLO, "topic": "forced_marriage", "gender": "girl", "kommun": "0180"})
        )
        assert isinstance(frame, Hello)
        assert (frame.topic, frame.gender, frame.kommun) == ("forced_marriage", "girl", "0180")

    def test_any_of_the_290_municipalities(self) -> None:
        frame = parse_visitor_frame(json.dumps({**HELLO, "kommun": "2584"}))
        assert isinstance(frame, Hello)
        assert frame.kommun == "2584"

    def test_district_of_the_municipality(self) -> None:
        frame = parse_visitor_frame(
            json.dumps({**HELLO, "kommun": "0180", "district": "rinkeby-kista"})
        )
        assert isinstance(frame, Hello)
        assert (frame.kommun, frame.district) == ("0180", "rinkeby-kista")

    @pytest.mark.parametrize(
        "extra",
        [
            {"district": "rinkeby-kista"},  # without kommun
            {"kommun": "1480", "district": "rinkeby-kista"},  # another city's
            {"kommun": "2480", "district": "centrum"},  # a municipality without districts
            {"kommun": "0180", "district": "atlantis"},
            {"kommun": "0180", "district": 3},
        ],
    )
    def test_unknown_district_is_a_bad_field(self, extra: dict[str, object]) -> None:
        error = _error(json.dumps({**HELLO, **extra}))
        assert (error.code, error.field) == ("bad_field", "district")


class TestText:
    def test_limit_is_in_code_points(self) -> None:
        astral = "\U0001f600" * MAX_TEXT_CHARS  # 4,000 code points, 8,000 UTF-16 units
        frame = parse_visitor_frame(json.dumps({"type": "msg", "id": "a", "text": astral}))
        assert isinstance(frame, VisitorMsg)

    @pytest.mark.parametrize("text", ["", "   \n\t", "x" * (MAX_TEXT_CHARS + 1), 5, None])
    def test_bad_text(self, text: object) -> None:
        error = _error(json.dumps({"type": "msg", "id": "a", "text": text}))
        assert (error.code, error.field) == ("bad_field", "text")

    def test_missing_id(self) -> None:
        error = _error(json.dumps({"type": "msg", "text": "hej"}))
        assert (error.code, error.field) == ("bad_field", "id")


class TestConsole:
    def test_accept(self) -> None:
        assert parse_console_frame('{"type":"accept","chat":"c1"}') == Accept("c1")

    def test_end_reasons_must_be_topics(self) -> None:
        frame = parse_console_frame('{"type":"end","chat":"c","reasons":["control","control"]}')
        assert frame == ConsoleEnd("c", ("control",))
        error = _error('{"type":"end","chat":"c","reasons":["gossip"]}', console=True)
        assert (error.code, error.field) == ("bad_field", "reasons")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
frame_types = st.sampled_from(
    [
        "hello",
        "msg",
        "notice_ack",
        "typing",
        "end",
        "exit",
        "return_code",
        "survey",
        "away",
        "accept",
        "note",
        "transfer",
        "refer",
        "x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    kind=frame_types,
    fields=st.dictionaries(
        st.sampled_from(
            [
                "v",
                "channel",
                "lang",
                "age",
                "id",
                "text",
                "chat",
                "answers",
                "on",
                "resume",
                "to",
                "reasons",
            ]
        ),
        json_values,
        max_size=6,
    ),
)
def test_parsers_accept_or_raise_frame_error(kind: str, fields: dict[str, Any]) -> None:
    raw = json.dumps({"type": kind, **fields})
    for parse in (parse_visitor_frame, parse_console_frame):
        code = None
        try:
            parse(raw)
        except FrameError as exc:
            code = exc.code
        assert code in {None, "bad_frame", "unknown_type", "bad_field"}


@settings(max_examples=300, deadline=None)
@given(raw=st.text(max_size=200))
def test_arbitrary_text_never_crashes(raw: str) -> None:
    frame: VisitorFrame | None = None
    code: str | None = None
    try:
        frame = parse_visitor_frame(raw)
    except FrameError as exc:
        code = exc.code
    if frame is None:
        assert code in {"bad_frame", "unknown_type", "bad_field"}
    else:
        assert isinstance(frame, typing.get_args(VisitorFrame))
