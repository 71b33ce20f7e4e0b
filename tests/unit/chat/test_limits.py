"""The chat's limits are named once (chat/domain/limits.py) and still importable where they were."""

from __future__ import annotations

from chat.domain import limits, returncode
from chat.live import connection
from chat.live import visitor_endpoint as endpoints
from chat.stores import returncode_store, store
from chat.wire import inbound as wire_types
from chat.wire import parse as wire


def test_every_limit_is_a_positive_whole_number() -> None:
    names = [n for n in dir(limits) if n.isupper()]
    assert len(names) >= 15
    assert all(isinstance(getattr(limits, n), int) and getattr(limits, n) > 0 for n in names)


def test_the_old_names_are_the_same_limits() -> None:
    for module in (wire, wire_types, returncode_store, store, connection, endpoints):
        for name in dir(module):
            if name.isupper() and hasattr(limits, name):
                assert getattr(module, name) == getattr(limits, name), (module.__name__, name)
    assert wire_types.MAX_TEXT_CHARS == returncode_store.MAX_LEFT_MESSAGE_CHARS
    assert wire_types.MAX_SUMMARY_CHARS == returncode_store.MAX_SUMMARY_CHARS
    assert returncode.MAX_CODE_INPUT_CHARS == wire_types.MAX_RETURN_CODE_CHARS
