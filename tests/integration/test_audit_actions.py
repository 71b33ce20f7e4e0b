"""Staff actions that the audit log records (issue 8): a left message opened and answered, a
knowledge-bank article published or a draft discarded, a statistics export over HTTP and from
the command line. None of them puts a visitor's or a counsellor's words in the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from kb.editing import NEW_ARTICLE_TEMPLATE
from tests.integration.test_visit_flow import closed_hours
from tests.support.clients import Peers, hello, login
from tests.support.server import RunningServer, StaffCredentials, run_cli


def audit_events(http: httpx.Client) -> list[dict[str, Any]]:
    resp = http.get("/api/admin/audit")
    assert resp.status_code == 200, resp.status_code
    events: list[dict[str, Any]] = resp.json()["events"]
    return events


def of_kind(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["kind"] == kind]


async def test_opening_and_answering_a_left_message_is_audited(
    server_factory: Callable[..., RunningServer],
    staff: Callable[..., StaffCredentials],
    peers: Peers,
) -> None:
    srv = server_factory(FRISTAD_OPENING_HOURS=closed_hours())
    visitor = await peers.visitor(srv)
    await visitor.send(hello())
    await visitor.expect("unavailable")
    await visitor.send({"type": "leave_message", "text": "lämnade ord som inte får loggas"})
    await visitor.expect("message_left")

    counsellor, boss = staff("counsellor"), staff("supervisor")
    http, boss_http = login(srv, counsellor), login(srv, boss)
    console = await peers.console(srv, http)
    await console.send({"type": "inbox"})
    record = (await console.expect("inbox"))["items"][0]["record"]
    before = audit_events(boss_http)
    assert not of_kind(before, "inbox_opened")  # the positive control for what follows

    await console.send({"type": "inbox_open", "record": record})
    await console.expect("inbox_thread", record=record)
    await console.send({"type": "inbox_reply", "record": record, "text": "svar som inte loggas"})
    await console.expect("inbox_replied", record=record)

    events = audit_events(boss_http)
    for kind in ("inbox_opened", "inbox_replied"):
        found = of_kind(events, kind)
        assert len(found) == 1, (kind, events[:5])
        assert found[0]["staff"] == counsellor.username
        assert found[0]["record"] == record
    assert "lämnade ord" not in str(events)
    assert "svar som" not in str(events)
    http.close()
    boss_http.close()


def _draft(http: httpx.Client, slug: str) -> str:
    source = NEW_ARTICLE_TEMPLATE.replace("slug: ny-artikel", f"slug: {slug}")
    resp = http.post(
        "/kb/edit/drafts",
        data={"source": source, "base": "", "action": "save"},
        headers={"Origin": str(http.base_url).rstrip("/")},
    )
    assert resp.status_code == 303, (resp.status_code, resp.text[:300])
    return resp.headers["location"].rsplit("/", 1)[1]


def test_publishing_and_discarding_articles_is_audited(
    fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    admin = staff("admin")
    http = login(fresh, admin)
    origin = {"Origin": fresh.origin}
    published = _draft(http, "granskad-artikel")
    resp = http.post(f"/kb/edit/drafts/{published}/publish", headers=origin)
    assert resp.status_code == 303, (resp.status_code, resp.text[:300])
    discarded = _draft(http, "kastad-artikel")
    resp = http.post(f"/kb/edit/drafts/{discarded}/discard", headers=origin)
    assert resp.status_code == 303, resp.status_code

    events = audit_events(http)
    assert [e["article"] for e in of_kind(events, "article_published")] == ["sv/granskad-artikel"]
    assert [e["draft"] for e in of_kind(events, "draft_discarded")] == [discarded]
    assert all(e["staff"] == admin.username for e in of_kind(events, "article_published"))
    assert "Skriv artikeln här" not in str(events)
    http.close()


def test_statistics_exports_are_audited(
    fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    boss = staff("supervisor")
    http = login(fresh, boss)
    assert http.get("/admin/stats.csv?from=2026-01-01&to=2026-01-31").status_code == 200
    done = run_cli(fresh.redis_url, "stats", "export", "--from", "2026-02-01", "--to", "2026-02-28")
    assert done.returncode == 0, done.stderr

    exports = of_kind(audit_events(http), "stats_exported")
    by_via = {e["via"]: e for e in exports}
    assert set(by_via) == {"http", "cli"}, exports
    assert by_via["http"]["staff"] == boss.username
    assert (by_via["http"]["first"], by_via["http"]["last"]) == ("2026-01-01", "2026-01-31")
    assert by_via["cli"]["staff"] == "cli"
    assert (by_via["cli"]["first"], by_via["cli"]["last"]) == ("2026-02-01", "2026-02-28")
    http.close()
