"""Prometheus metrics for supervisors: queue lengths, waits and staff online.

The gauges are read from Redis at scrape time, so every process answers for the whole service;
the process's own counters (counsellor_console/domain/metrics_counters.py) follow them.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.responses import Response

from chat.api import Conversations
from counsellor_console.domain.metrics_counters import ChatCounters
from counsellor_console.stores.store import StaffStore
from counsellor_console.web.monitor import OVERVIEW_QUEUE_ITEMS, longest_wait_s


async def metrics_response(
    ops: Conversations, staff: StaffStore, counters: ChatCounters | None = None
) -> Response:
    registry = CollectorRegistry()
    queue_length = Gauge(
        "fristad_queue_length", "Visitors waiting, per channel", ["channel"], registry=registry
    )
    oldest_wait = Gauge(
        "fristad_queue_oldest_wait_seconds",
        "How long the longest waiting visitor has waited",
        ["channel"],
        registry=registry,
    )
    online = Gauge("fristad_staff_online", "Staff with a console open", registry=registry)
    # The head of the queue is not always the longest waiting (a hand-back goes first): read
    # as many as /admin does and take the longest wait among them.
    snapshot = await ops.store.queue_snapshot(limit=OVERVIEW_QUEUE_ITEMS)
    for channel, total in snapshot.totals.items():
        queue_length.labels(channel=channel).set(total)
        items = snapshot.items.get(channel) or []
        oldest_wait.labels(channel=channel).set(longest_wait_s(items) or 0)
    online.set(len(await staff.online_staff()))
    body = generate_latest(registry) + (counters.exposition() if counters else b"")
    return Response(body, media_type=CONTENT_TYPE_LATEST)
