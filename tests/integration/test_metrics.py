"""Prometheus: the counters a real service keeps, scraped from FRISTAD_METRICS_ADDR.

The metrics listener serves ``GET /metrics`` without a session and nothing else; the main
port's ``/metrics`` stays for supervisors and admins.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.conftest import Team
from tests.support.clients import Peers, accept, connect_console
from tests.support.net import free_port
from tests.support.server import RunningServer


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, by (name, sorted labels)."""
    resp = httpx.get(url, timeout=5)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain")
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(resp.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:  # fmt: skip
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metered(team: Team, server_factory: Callable[..., RunningServer]) -> tuple[RunningServer, str]:
    port = free_port()
    srv = server_factory(FRISTAD_METRICS_ADDR=f"127.0.0.1:{port}")
    return srv, f"http://127.0.0.1:{port}"


async def test_scraped_figures_follow_the_chats(
    team: Team, peers: Peers, metered: tuple[RunningServer, str]
) -> None:
    srv, metrics_base = metered
    console = peers.track(await connect_console(srv, team.http["anna"]))
    await console.expect("queue")
    v1, c1 = await peers.queued(srv, lang="sv")
    v2, _c2 = await peers.queued(srv, lang="en")
    _v3, _c3 = await peers.queued(srv, channel="professional")
    await accept(console, c1)
    await v1.expect("joined")
    for n in range(3):
        await v1.send({"type": "msg", "id": f"v{n}", "text": "hej"})
        await v1.expect("ack", id=f"v{n}")
    await console.send({"type": "msg", "chat": c1, "id": "c0", "text": "hej hej"})
    await console.expect("ack", id="c0")
    await v1.expect("msg")
    await console.send({"type": "end", "chat": c1, "reasons": []})
    await v1.expect("ended")
    await v2.send({"type": "end"})
    await v2.expect("ended")
    await console.send({"type": "accept", "chat": "nosuchchat"})
    await console.expect("error")

    s = scrape(metrics_base + "/metrics")
    assert value(s, "fristad_chats_queued_total", channel="youth") == 2
    assert value(s, "fristad_chats_queued_total", channel="professional") == 1
    assert value(s, "fristad_chats_accepted_total", channel="youth") == 1
    assert value(s, "fristad_chats_ended_total", how="counsellor") == 1
    assert value(s, "fristad_chats_ended_total", how="visitor") == 1
    assert value(s, "fristad_messages_relayed_total", direction="visitor_to_counsellor") == 3
    assert value(s, "fristad_messages_relayed_total", direction="counsellor_to_visitor") == 1
    assert sum(v for (name, _), v in s.items() if name == "fristad_errors_sent_total") >= 1
    assert value(s, "fristad_sockets_connected", side="staff") == 1
    assert value(s, "fristad_sockets_connected", side="visitor") == 3
    assert value(s, "fristad_queue_wait_seconds_count", channel="youth") == 1
    assert value(s, "fristad_queue_wait_seconds_bucket", channel="youth", le="+Inf") == 1
    assert value(s, "fristad_queue_wait_seconds_count", channel="professional") == 0
    # The gauges read from Redis: the professional visitor still waits, the second youth left.
    assert value(s, "fristad_queue_length", channel="professional") == 1
    assert value(s, "fristad_queue_length", channel="youth") == 0
    assert value(s, "fristad_staff_online") == 1


def test_metrics_port_serves_nothing_else(team: Team, metered: tuple[RunningServer, str]) -> None:
    _srv, metrics_base = metered
    for path in ("/", "/healthz", "/admin", "/api/admin/overview", "/console", "/metrics/x"):
        assert httpx.get(metrics_base + path, timeout=5).status_code == 404, path
    assert httpx.post(metrics_base + "/metrics", timeout=5).status_code == 405


def test_main_port_metrics_stays_for_supervisors(
    team: Team, metered: tuple[RunningServer, str]
) -> None:
    srv, _ = metered
    assert httpx.get(srv.base_url + "/metrics", timeout=5).status_code == 403
    anna = httpx.get(
        srv.base_url + "/metrics", cookies=dict(team.http["anna"].cookies.items()), timeout=5
    )
    assert anna.status_code == 403
    sigrid = httpx.get(
        srv.base_url + "/metrics", cookies=dict(team.http["sigrid"].cookies.items()), timeout=5
    )
    assert sigrid.status_code == 200
    assert "fristad_chats_queued_total" in sigrid.text


def test_counters_are_on_the_main_port_too(team: Team) -> None:
    # The module's server was started without FRISTAD_METRICS_ADDR: supervisors still see
    # the process's counters behind their session.
    resp = team.http["sigrid"].get("/metrics")
    assert resp.status_code == 200
    assert "fristad_messages_relayed_total" in resp.text
