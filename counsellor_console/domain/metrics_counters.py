"""The process's own Prometheus counters: what this process did since it started.

The chat core bumps them through ``chat.domain.metrics_hooks.ChatMetrics`` (injected by the service
as ``Conversations.metrics``). They are process-local, as Prometheus counters are meant to be:
Prometheus scrapes every process and sums (``sum(rate(...))``); a restart starts them at 0,
which ``rate`` understands. The queue gauges, which must agree across processes, stay read
from Redis at scrape time (counsellor_console/web/metrics.py).

Labels are closed sets (channels, directions, how a chat ended, error codes from the
protocol), never a chat id, a username or text.
"""

from __future__ import annotations

from typing import Final, Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from chat.core_api import Direction

#: Seconds; a wait in the queue is counted in the first bucket it fits.
WAIT_BUCKETS: Final = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)
#: An error code longer than this is not one of ours: counted as "other".
CODE_MAX: Final = 40


def _code(code: str) -> str:
    ok = 0 < len(code) <= CODE_MAX and all(c.isascii() and (c.isalnum() or c == "_") for c in code)
    return code if ok else "other"


class ChatCounters:
    """Counters, gauges and the wait histogram in their own registry (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.queued = Counter(
            "fristad_chats_queued", "Chats put in the queue", ["channel"], registry=r
        )
        self.accepted = Counter(
            "fristad_chats_accepted", "Chats a counsellor accepted", ["channel"], registry=r
        )
        self.ended = Counter(
            "fristad_chats_ended", "Chats ended, by how they ended", ["how"], registry=r
        )
        self.relayed = Counter(
            "fristad_messages_relayed", "Chat messages relayed", ["direction"], registry=r
        )
        self.errors = Counter(
            "fristad_errors_sent", "error frames sent to a socket, by code", ["code"], registry=r
        )
        self.connected = Gauge(
            "fristad_sockets_connected",
            "WebSockets open on this process (visitor or staff)",
            ["side"],
            registry=r,
        )
        self.wait = Histogram(
            "fristad_queue_wait_seconds",
            "How long an accepted chat waited in the queue",
            ["channel"],
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        for side in ("visitor", "staff"):
            self.connected.labels(side=side).set(0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    # -- chat.domain.metrics_hooks.ChatMetrics ---------------------------------------------------

    def chat_queued(self, channel: str) -> None:
        self.queued.labels(channel=channel).inc()

    def chat_accepted(self, channel: str, waited_s: float) -> None:
        self.accepted.labels(channel=channel).inc()
        self.wait.labels(channel=channel).observe(waited_s)

    def chat_ended(self, how: str) -> None:
        self.ended.labels(how=_code(how)).inc()

    def message_relayed(self, direction: Direction) -> None:
        self.relayed.labels(direction=direction).inc()

    def error_sent(self, code: str) -> None:
        self.errors.labels(code=_code(code)).inc()

    def socket_opened(self, side: Literal["visitor", "staff"]) -> None:
        self.connected.labels(side=side).inc()

    def socket_closed(self, side: Literal["visitor", "staff"]) -> None:
        self.connected.labels(side=side).dec()
