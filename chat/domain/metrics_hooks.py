"""What the chat core tells a metrics collector, without knowing who collects.

``chat/`` may not import the console or prometheus_client; the service injects an object with
these methods (counsellor_console/domain/metrics_counters.py) as ``Conversations.metrics``.
Every call sits on a hot path (a relayed message), so an implementation must be as cheap as a
counter's ``inc()``: no I/O, no awaiting. The default does nothing, for tests and tools that run
the chat core alone.
"""

from __future__ import annotations

from typing import Final, Literal, Protocol

#: How a chat ended, as counted: the visitor's plain end, a quick exit, a lost connection, or
#: the counsellor's end. Other helpers' endings (a block, a transfer) add their own words.
EndedHow = Literal["visitor", "exit", "timeout", "counsellor", "system"]
#: A relayed message's direction.
Direction = Literal["visitor_to_counsellor", "counsellor_to_visitor"]


class ChatMetrics(Protocol):
    """The counters the chat core bumps; each call must be cheap and never raise."""

    def chat_queued(self, channel: str) -> None: ...

    def chat_accepted(self, channel: str, waited_s: float) -> None: ...

    def chat_ended(self, how: str) -> None: ...

    def message_relayed(self, direction: Direction) -> None: ...

    def error_sent(self, code: str) -> None: ...

    def socket_opened(self, side: Literal["visitor", "staff"]) -> None: ...

    def socket_closed(self, side: Literal["visitor", "staff"]) -> None: ...


class NoMetrics:
    """Counts nothing: the default when no collector is injected."""

    def chat_queued(self, channel: str) -> None:
        return None

    def chat_accepted(self, channel: str, waited_s: float) -> None:
        return None

    def chat_ended(self, how: str) -> None:
        return None

    def message_relayed(self, direction: Direction) -> None:
        return None

    def error_sent(self, code: str) -> None:
        return None

    def socket_opened(self, side: Literal["visitor", "staff"]) -> None:
        return None

    def socket_closed(self, side: Literal["visitor", "staff"]) -> None:
        return None


NO_METRICS: Final[ChatMetrics] = NoMetrics()
