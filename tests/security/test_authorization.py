"""The authorisation matrix, route by route and message by message (issue 5).

The tables below are the documentation: who may do what. Staff pages send the anonymous to the
login page (303); staff APIs refuse them (403); a role that may not see something gets 403. On
the sockets a visitor only ever reaches its own chat, a counsellor only the chats they hold, and
a supervisor may read (never write) any chat, which the audit log records.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import httpx
import pytest
import redis

from tests.security.conftest import DIRECTORY_ORGS, import_directory
from tests.support.clients import (
    Peers,
    WsClient,
    accept,
    connect_console,
    connect_visitor,
    connect_ws,
    cookie_header,
    hello,
    login,
)
from tests.support.server import RunningServer, StaffCredentials, add_staff, run_cli

ROLES: Final = ("anonymous", "counsellor", "supervisor", "admin")
LOGIN: Final = "303 /console/login"
OK: Final = "200"
NO: Final = "403"

# route -> what each role gets: (anonymous, counsellor, supervisor, admin)
ROUTES: Final[list[tuple[str, str, tuple[str, str, str, str]]]] = [
    # the visitor's side: open to all, and the same for all
    ("GET", "/", (OK, OK, OK, OK)),
    ("GET", "/kb/", (OK, OK, OK, OK)),
    ("GET", "/kb/sv/hjalp-nu", (OK, OK, OK, OK)),
    ("GET", "/kb/search?q=hj%C3%A4lp", (OK, OK, OK, OK)),
    ("GET", "/api/kb/search?q=hj%C3%A4lp&lang=sv", (OK, OK, OK, OK)),
    ("GET", "/api/kb/articles?topic=control&lang=sv", (OK, OK, OK, OK)),
    ("GET", "/api/topics", (OK, OK, OK, OK)),
    ("GET", "/api/survey", (OK, OK, OK, OK)),
    ("GET", "/api/professions", (OK, OK, OK, OK)),
    ("GET", "/api/status", (OK, OK, OK, OK)),
    ("GET", "/api/strings?lang=en", (OK, OK, OK, OK)),
    ("GET", "/api/help/open", (OK, OK, OK, OK)),
    ("GET", "/api/municipalities", (OK, OK, OK, OK)),
    ("GET", "/api/districts?kommun=0180", (OK, OK, OK, OK)),
    ("GET", "/exit", ("204", "204", "204", "204")),
    ("GET", "/healthz", (OK, OK, OK, OK)),
    ("GET", "/readyz", (OK, OK, OK, OK)),
    ("GET", "/console/login", (OK, OK, OK, OK)),
    # staff pages: the anonymous go to the login page
    ("GET", "/console", (LOGIN, OK, OK, OK)),
    ("GET", "/admin", (LOGIN, NO, OK, OK)),
    ("GET", "/admin/stats.csv?from=2026-01-01&to=2026-01-31", (LOGIN, NO, OK, OK)),
    ("GET", "/kb/edit/", (LOGIN, OK, OK, OK)),
    ("GET", "/kb/edit/new", (LOGIN, OK, OK, OK)),
    ("GET", "/kb/edit/drafts/nosuchdraft", (LOGIN, "404", "404", "404")),
    ("POST", "/kb/edit/drafts/nosuchdraft/publish", (LOGIN, NO, NO, "404")),
    ("POST", "/kb/edit/drafts/nosuchdraft/discard", (LOGIN, "404", "404", "404")),
    # staff APIs: the anonymous are refused
    ("GET", "/api/directory", (NO, OK, OK, OK)),
    ("GET", "/api/riskguide", (NO, OK, OK, OK)),
    ("POST", "/api/riskguide/answers", (NO, OK, OK, OK)),
    ("GET", "/api/admin/overview", (NO, NO, OK, OK)),
    ("GET", "/api/admin/audit", (NO, NO, OK, OK)),
    ("GET", "/metrics", (NO, NO, OK, OK)),
    # issue 11: canned replies and the supervisor's floor
    ("GET", "/api/canned", (NO, OK, OK, OK)),
    ("GET", "/api/canned?lang=ar", (NO, OK, OK, OK)),
    ("GET", "/api/admin/floor", (NO, NO, OK, OK)),
    ("GET", "/admin/canned", (LOGIN, NO, OK, OK)),
    ("POST", "/admin/canned", (LOGIN, NO, "422", "422")),
    ("POST", "/admin/canned/nosuchreply", (LOGIN, NO, "404", "404")),
    # issue 13: a partner's own page (partners only; see test_partner_authorization.py) and
    # the centre's review of their proposals
    ("GET", "/partner", (LOGIN, NO, NO, NO)),
    ("POST", "/partner/entry/jouren", (LOGIN, NO, NO, NO)),
    ("POST", "/partner/confirm/jouren", (LOGIN, NO, NO, NO)),
    ("GET", "/console/directory/review", (LOGIN, NO, OK, OK)),
    ("POST", "/console/directory/review/jouren", (LOGIN, NO, "400", "400")),
    ("GET", "/console/account", (LOGIN, OK, OK, OK)),
]
# State-changing routes of issue 11: with the session but without its CSRF token, 403.
CSRF_ROUTES: Final = (
    "/admin/canned",
    "/admin/canned/nosuchreply",
    "/console/directory/review/jouren",
)
RISK_ANSWERS: Final[dict[str, dict[str, str]]] = {"answers": {}}


@dataclass
class Staff:
    server: RunningServer
    creds: dict[str, StaffCredentials]
    http: dict[str, httpx.Client]  # by role; "anonymous" holds no cookie


@pytest.fixture(scope="module")
def roles(
    redis_server: str, server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Staff]:
    flusher = redis.Redis.from_url(redis_server)
    flusher.flushall()
    flusher.close()
    import_directory(redis_server, tmp_path_factory.mktemp("directory"))
    names = ("counsellor", "counsellor2", "supervisor", "admin")
    with ThreadPoolExecutor(len(names)) as pool:
        made = list(
            pool.map(
                lambda n: add_staff(redis_server, f"authz-{n}", role=n.rstrip("2"), name=n.title()),
                names,
            )
        )
    creds = dict(zip(names, made, strict=True))
    http = {name: login(server, c) for name, c in creds.items()}
    http["anonymous"] = httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=10)
    yield Staff(server, creds, http)
    for client in http.values():
        client.close()


def _outcome(resp: httpx.Response) -> str:
    if resp.status_code in (302, 303, 307):
        return f"{resp.status_code} {httpx.URL(resp.headers.get('location', '')).path}"
    return str(resp.status_code)


@pytest.mark.parametrize(
    ("method", "path", "role", "expected"),
    [
        pytest.param(method, path, role, outcome, id=f"{method} {path} as {role}")
        for method, path, outcomes in ROUTES
        for role, outcome in zip(ROLES, outcomes, strict=True)
    ],
)
def test_route_matrix(roles: Staff, method: str, path: str, role: str, expected: str) -> None:
    client = roles.http[role]
    kwargs: dict[str, Any] = {"headers": {"Origin": roles.server.origin}}
    if path == "/api/riskguide/answers":
        kwargs["json"] = RISK_ANSWERS
    resp = client.request(method, path, **kwargs)
    assert _outcome(resp) == expected, (method, path, role, resp.text[:200])


@pytest.mark.parametrize("path", CSRF_ROUTES)
@pytest.mark.parametrize("role", ["counsellor", "supervisor", "admin"])
def test_issue11_posts_need_the_csrf_token(roles: Staff, path: str, role: str) -> None:
    with_session = roles.http[role]
    bare = httpx.Client(
        base_url=roles.server.base_url,
        cookies=dict(with_session.cookies.items()),
        follow_redirects=False,
        timeout=10,
    )
    try:
        resp = bare.post(
            path,
            data={"lang": "sv", "title": "t", "text": "x", "action": "delete"},
            headers={"Origin": roles.server.origin},
        )
    finally:
        bare.close()
    assert resp.status_code == 403, resp.text[:200]


def test_every_documented_route_is_in_the_matrix() -> None:
    """surface.md's routes, the staff routes and the operations routes all have a row."""
    listed = {path.split("?")[0] for _, path, _ in ROUTES}
    documented = {
        "/", "/kb/", "/api/kb/search", "/api/topics", "/api/survey", "/api/professions",
        "/api/status", "/exit", "/console/login", "/console", "/admin", "/admin/stats.csv",
        "/api/directory", "/healthz", "/readyz", "/metrics", "/api/admin/audit",
        "/api/admin/overview", "/kb/edit/", "/api/riskguide", "/api/riskguide/answers",
    }  # fmt: skip
    assert documented <= listed, documented - listed


# ---- the sockets ---------------------------------------------------------------------------


async def _refused(server: RunningServer, path: str, origin: str | None, cookie: str = "") -> int:
    headers = {"Cookie": cookie} if cookie else {}
    try:
        client = await connect_ws(server, path, origin, headers)
    except Exception as exc:  # websockets' InvalidStatus carries the HTTP response
        response = getattr(exc, "response", None)
        return int(getattr(response, "status_code", 0))
    await client.close()
    raise AssertionError(f"{path} opened with Origin {origin!r}")


@pytest.mark.parametrize("path", ["/ws/visit", "/ws/console"])
@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "null", "http://127.0.0.1:1", "http://127.0.0.1.evil.example"],
)
async def test_a_socket_from_a_foreign_origin_is_refused(
    roles: Staff, path: str, origin: str
) -> None:
    cookie = cookie_header(roles.http["supervisor"])
    assert await _refused(roles.server, path, origin, cookie) == 403


async def test_the_console_needs_a_live_session(roles: Staff) -> None:
    server = roles.server
    assert await _refused(server, "/ws/console", server.origin) == 403
    assert await _refused(server, "/ws/console", server.origin, "fristad_session=forged") == 403

    # Logged out: the same cookie no longer opens the console.
    creds = add_staff(server.redis_url, "authz-leaver", role="counsellor")
    http = login(server, creds)
    cookie = cookie_header(http)
    (await connect_console(server, http)).ws.transport.abort()
    http.post("/console/logout", headers={"Origin": server.origin})
    assert await _refused(server, "/ws/console", server.origin, cookie) == 403
    http.close()

    # Disabled by an operator: every session of the account stops working.
    creds = add_staff(server.redis_url, "authz-disabled", role="supervisor")
    http = login(server, creds)
    cookie = cookie_header(http)
    done = run_cli(server.redis_url, "users", "disable", creds.username)
    assert done.returncode == 0, done.stderr
    assert await _refused(server, "/ws/console", server.origin, cookie) == 403
    assert http.get("/admin").status_code == 303
    http.close()


async def _chat(server: RunningServer, peers: Peers) -> tuple[WsClient, str, str]:
    """A waiting visitor: (client, chat id, resume token)."""
    visitor = peers.track(await connect_visitor(server))
    await visitor.send(hello())
    welcome = await visitor.expect("welcome")
    await visitor.expect("queued")
    return visitor, welcome["chat"], welcome["token"]


async def test_a_visitor_reaches_no_other_chat(roles: Staff, peers: Peers) -> None:
    server = roles.server
    anna = peers.track(await connect_console(server, roles.http["counsellor"]))
    victim, chat, token = await _chat(server, peers)
    await accept(anna, chat)
    await victim.expect("joined")

    intruder = peers.track(await connect_visitor(server))
    # No chat yet: naming the victim's chat in any frame reaches nothing.
    await intruder.send({"type": "msg", "chat": chat, "id": "i1", "text": "hello victim"})
    await intruder.expect("error", code="no_chat")
    for guess in (chat, token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 43):
        await intruder.send(hello(resume={"token": guess, "last_seq": 0}))
        await intruder.expect("error", code="resume_failed")

    # With a chat of its own, a `chat` field is ignored: the message stays in its own chat.
    await intruder.send(hello())
    own = (await intruder.expect("welcome"))["chat"]
    assert own != chat
    await intruder.send({"type": "msg", "chat": chat, "id": "i2", "text": "still not you"})
    await intruder.expect("ack", id="i2")
    await intruder.send({"type": "end", "chat": chat})
    await intruder.expect("ended")
    await anna.expect_none("msg", within=0.5, chat=chat, where={"from": "visitor"})
    await anna.expect_none("visitor_left", within=0.1, chat=chat)
    await victim.expect_none("ended", within=0.1)

    # The victim's own token works once; a second use fails, even by the victim.
    victim.abort()
    again = peers.track(await connect_visitor(server))
    await again.send(hello(resume={"token": token, "last_seq": 0}))
    assert (await again.expect("welcome"))["chat"] == chat
    thief = peers.track(await connect_visitor(server))
    await thief.send(hello(resume={"token": token, "last_seq": 0}))
    await thief.expect("error", code="resume_failed")


# What a counsellor gets for acting on a chat someone else holds.
NOT_THEIRS: Final[list[tuple[dict[str, Any], str]]] = [
    ({"type": "msg", "id": "x1", "text": "let me in"}, "not_yours"),
    ({"type": "note", "text": "a note on someone else's chat"}, "not_yours"),
    ({"type": "typing"}, "not_yours"),
    ({"type": "summary", "text": "not mine to write"}, "not_yours"),
    ({"type": "transfer", "to": "queue"}, "not_yours"),
    ({"type": "transfer", "to": "authz-counsellor2"}, "not_yours"),
    ({"type": "refer", "org": DIRECTORY_ORGS[0]}, "not_yours"),
    ({"type": "end", "reasons": ["control"]}, "not_yours"),
    ({"type": "accept"}, "already_taken"),
    ({"type": "heavy"}, "not_yours"),
    ({"type": "watch"}, "forbidden"),
    # Console 1.1, Safety: only the chat's counsellor escalates, blocks, answers the risk guide.
    ({"type": "escalate", "level": "acute"}, "not_yours"),
    ({"type": "block"}, "not_yours"),
    ({"type": "risk", "answers": {"threat_to_life": "yes"}}, "not_yours"),
    ({"type": "risk", "count": True}, "not_yours"),
]


async def test_a_counsellor_cannot_touch_a_chat_they_do_not_hold(
    roles: Staff, peers: Peers
) -> None:
    server = roles.server
    holder = peers.track(await connect_console(server, roles.http["counsellor"]))
    other = peers.track(await connect_console(server, roles.http["counsellor2"]))
    visitor, chat, _ = await _chat(server, peers)
    await accept(holder, chat)
    await visitor.expect("joined")
    await visitor.send({"type": "msg", "id": "v1", "text": "only for my counsellor"})
    await visitor.expect("ack", id="v1")

    for frame, code in NOT_THEIRS:
        await other.send({**frame, "chat": chat})
        error = await other.expect("error", chat=chat)
        assert error["code"] == code, (frame, error)
    # A whisper in a chat that is not theirs: FORBIDDEN, exactly (protocol.md, Console 1.1).
    await other.send({"type": "whisper", "chat": chat, "text": "psst"})
    assert await other.expect("error", code="forbidden") == {"type": "error", "code": "forbidden"}
    await holder.expect_none("whisper", within=0.3)
    await other.expect_none("msg", within=0.3, chat=chat)
    await other.expect_none("assigned", within=0.1, chat=chat)
    for kind in ("msg", "referral", "ended", "queued"):
        await visitor.expect_none(kind, within=0.1)
    await holder.send({"type": "msg", "chat": chat, "id": "h1", "text": "still mine"})
    await holder.expect("ack", id="h1")


async def test_a_supervisor_reads_read_only_and_it_is_audited(roles: Staff, peers: Peers) -> None:
    server = roles.server
    holder = peers.track(await connect_console(server, roles.http["counsellor"]))
    boss = peers.track(await connect_console(server, roles.http["supervisor"]))
    visitor, chat, _ = await _chat(server, peers)
    await accept(holder, chat)
    await visitor.send({"type": "msg", "id": "v1", "text": "watched words"})
    await visitor.expect("ack", id="v1")

    await boss.send({"type": "watch", "chat": chat})
    await boss.expect("assigned", chat=chat)
    await boss.expect("msg", chat=chat, text="watched words")
    for frame, _ in NOT_THEIRS[:8] + NOT_THEIRS[-4:]:
        await boss.send({**frame, "chat": chat})
        await boss.expect("error", chat=chat, code="not_yours")
    await visitor.expect_none("ended", within=0.2)
    await visitor.expect_none("msg", within=0.3)

    events = roles.http["supervisor"].get("/api/admin/audit").json()["events"]
    watched = [e for e in events if e.get("kind") == "chat_watched" and e.get("chat") == chat]
    assert watched, events[:5]
    assert watched[0]["staff"] == roles.creds["supervisor"].username
    assert watched[0]["holder"] == roles.creds["counsellor"].username
    assert "watched words" not in str(events)


# Console messages only a supervisor (or admin) may send, whatever chat they name.
SUPERVISOR_ONLY: Final[list[dict[str, Any]]] = [
    {"type": "set_limit", "username": "authz-counsellor", "limit": 5},
]


@pytest.mark.parametrize("role", ["counsellor", "supervisor", "admin"])
async def test_console_messages_for_supervisors_only(roles: Staff, peers: Peers, role: str) -> None:
    console = peers.track(await connect_console(roles.server, roles.http[role]))
    for frame in SUPERVISOR_ONLY:
        await console.send(frame)
        if role == "counsellor":
            assert await console.expect("error") == {"type": "error", "code": "forbidden"}
        else:
            await console.expect_none("error", within=0.5)
