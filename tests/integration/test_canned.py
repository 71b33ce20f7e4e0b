"""Canned replies kept on the server: seeded in sv, en and ar, read by every console, kept by
supervisors at /admin/canned (CSRF token on every form, audited), refused to counsellors."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.integration.conftest import Team
from tests.support.clients import CSRF_HEADER

_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def replies(http: httpx.Client, lang: str | None = None) -> list[dict[str, Any]]:
    resp = http.get("/api/canned", params={"lang": lang} if lang else {})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    got: list[dict[str, Any]] = resp.json()["replies"]
    return got


def form_token(http: httpx.Client) -> str:
    resp = http.get("/admin/canned")
    assert resp.status_code == 200
    match = _FIELD.search(resp.text)
    assert match
    return match.group(1)


def without_header(team: Team, name: str) -> httpx.Client:
    """The member's session, but with no X-CSRF-Token header (a form post from elsewhere)."""
    return httpx.Client(
        base_url=team.server.base_url,
        cookies=dict(team.http[name].cookies.items()),
        follow_redirects=False,
        timeout=10,
    )


def audit_kinds(team: Team) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = team.http["sigrid"].get("/api/admin/audit").json()["events"]
    return [e for e in events if e.get("kind") == "canned_changed"]


def test_seeded_in_three_languages_with_the_visitors_first(team: Team) -> None:
    everything = replies(team.http["anna"])
    langs = {r["lang"] for r in everything}
    assert langs == {"sv", "en", "ar"}
    assert all(set(r) == {"id", "lang", "title", "text"} for r in everything)
    assert all(r["title"] and r["text"] for r in everything)
    assert any("112" in r["text"] for r in everything if r["lang"] == "ar")
    arabic_first = replies(team.http["anna"], "ar")
    n_ar = sum(1 for r in arabic_first if r["lang"] == "ar")
    assert n_ar >= 5
    assert [r["lang"] for r in arabic_first[:n_ar]] == ["ar"] * n_ar
    assert {r["id"] for r in arabic_first} == {r["id"] for r in everything}
    # Read twice, seeded once.
    assert len(replies(team.http["bilal"])) == len(everything)


def test_the_anonymous_and_counsellors_may_not_edit(team: Team) -> None:
    with httpx.Client(base_url=team.server.base_url, timeout=10) as anonymous:
        assert anonymous.get("/api/canned").status_code == 403
    anna = team.http["anna"]
    assert anna.get("/admin/canned").status_code == 403
    some = replies(anna)[0]
    resp = anna.post("/admin/canned", data={"lang": "sv", "title": "x", "text": "y"})
    assert resp.status_code == 403
    resp = anna.post(f"/admin/canned/{some['id']}", data={"action": "delete"})
    assert resp.status_code == 403
    assert some in replies(anna)


def test_a_supervisor_adds_edits_and_deletes_in_the_browser_forms(team: Team) -> None:
    sigrid = team.http["sigrid"]
    page = sigrid.get("/admin/canned")
    assert page.status_code == 200
    assert page.text.count('name="csrf_token"') == 1 + len(replies(sigrid))
    with without_header(team, "sigrid") as plain:
        token = form_token(plain)
        new = {"lang": "ar", "title": "موارد", "text": "يمكنك أيضاً الاتصال بنا عبر الهاتف."}
        # No token in the form (nor in a header): refused, nothing stored.
        assert plain.post("/admin/canned", data=new).status_code == 403
        assert not [r for r in replies(sigrid) if r["title"] == "موارد"]
        resp = plain.post("/admin/canned", data={**new, "csrf_token": token})
        assert resp.status_code == 303
        assert resp.headers["location"] == "/admin/canned"
    added = [r for r in replies(sigrid, "ar") if r["title"] == "موارد"]
    assert len(added) == 1
    reply_id = added[0]["id"]
    assert added[0]["text"] == new["text"]

    resp = sigrid.post(
        f"/admin/canned/{reply_id}",
        data={"action": "save", "lang": "en", "title": "Phone", "text": "You can call us too."},
    )
    assert resp.status_code == 303
    (edited,) = [r for r in replies(sigrid) if r["id"] == reply_id]
    assert edited == {
        "id": reply_id,
        "lang": "en",
        "title": "Phone",
        "text": "You can call us too.",
    }

    bad = sigrid.post(
        f"/admin/canned/{reply_id}",
        data={"action": "save", "lang": "xx", "title": "a", "text": "b"},
    )
    assert bad.status_code == 422
    assert "Okänt språk." in bad.text
    too_long = sigrid.post("/admin/canned", data={"lang": "sv", "title": "t", "text": "x" * 2001})
    assert too_long.status_code == 422

    assert sigrid.post(f"/admin/canned/{reply_id}", data={"action": "delete"}).status_code == 303
    assert reply_id not in {r["id"] for r in replies(sigrid)}
    assert sigrid.post(f"/admin/canned/{reply_id}", data={"action": "delete"}).status_code == 404

    events = audit_kinds(team)
    assert sorted(e["action"] for e in events if e["reply"] == reply_id) == [
        "add",
        "delete",
        "save",
    ]
    assert all(e["staff"] == team.creds["sigrid"].username for e in events)
    assert all("text" not in e and "title" not in e for e in events)


def test_deleted_seeds_stay_deleted(team: Team) -> None:
    sigrid = team.http["sigrid"]
    first = replies(sigrid)
    for reply in first:
        assert (
            sigrid.post(f"/admin/canned/{reply['id']}", data={"action": "delete"}).status_code
            == 303
        )
    assert replies(sigrid) == []
    assert replies(team.http["anna"]) == []
    assert CSRF_HEADER in sigrid.headers
