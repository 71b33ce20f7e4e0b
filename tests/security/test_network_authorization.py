"""The partner network's authorisation matrix (issue 13), beside tests/security/
test_authorization.py: every route, every role, and the Origin lock on every staff POST.

Who may do what is decided in counsellor_console/network/access.py: the experts' space and
the partners' feed for every staff role (and later partners), planning for the centre's
staff, the member register for supervisors and admins.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import httpx
import pytest
import redis
import redis.asyncio as aioredis
from starlette.routing import Route

from counsellor_console.network.routes import Network
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.revocation_store import ConsoleSockets
from counsellor_console.stores.store import StaffStore
from counsellor_console.web.csrf import CsrfTokens
from counsellor_console.web.staff_pages import StaffGate
from tests.security.conftest import import_directory
from tests.support.clients import login
from tests.support.server import RunningServer, add_staff

ROLES: Final = ("anonymous", "counsellor", "supervisor", "admin")
LOGIN: Final = "303 /console/login"
OK: Final = "200"
NO: Final = "403"
BAD: Final = "422"  # allowed, and the empty form is refused for what it lacks
GONE: Final = "404"
N: Final = "/console/network"
CAL: Final = f"303 {N}/calendar"  # back to the calendar (deleting nothing is no error)
REG: Final = f"303 {N}/members"

# (method, path, (anonymous, counsellor, supervisor, admin)); POSTs send an empty form.
ROUTES: Final[list[tuple[str, str, tuple[str, str, str, str]]]] = [
    ("GET", "/calendar", (OK, OK, OK, OK)),
    ("GET", "/calendar.ics", (OK, OK, OK, OK)),
    ("POST", "/calendar/talk", (BAD, BAD, BAD, BAD)),
    ("GET", N, (LOGIN, OK, OK, OK)),
    ("GET", f"{N}/experts", (LOGIN, OK, OK, OK)),
    ("POST", f"{N}/experts", (LOGIN, BAD, BAD, BAD)),
    ("GET", f"{N}/experts/nosuchthread", (LOGIN, GONE, GONE, GONE)),
    ("POST", f"{N}/experts/nosuchthread/posts", (LOGIN, GONE, GONE, GONE)),
    ("POST", f"{N}/experts/nosuchthread/close", (LOGIN, GONE, GONE, GONE)),
    ("GET", f"{N}/calendar", (LOGIN, OK, OK, OK)),
    ("GET", f"{N}/calendar/partners.ics", (LOGIN, OK, OK, OK)),
    ("POST", f"{N}/calendar/events", (LOGIN, BAD, BAD, BAD)),
    ("POST", f"{N}/calendar/events/nosuchevent/delete", (LOGIN, CAL, CAL, CAL)),
    ("POST", f"{N}/calendar/talks/nosuchrequest/answered", (LOGIN, GONE, GONE, GONE)),
    ("GET", f"{N}/outreach", (LOGIN, OK, OK, OK)),
    ("POST", f"{N}/outreach", (LOGIN, BAD, BAD, BAD)),
    ("GET", f"{N}/members", (LOGIN, OK, OK, OK)),
    ("GET", f"{N}/members.csv", (LOGIN, NO, OK, OK)),
    ("GET", f"{N}/members/jouren", (LOGIN, NO, OK, OK)),
    ("POST", f"{N}/members/jouren", (LOGIN, NO, REG, REG)),
]  # fmt: skip
STAFF_POSTS: Final = [path for method, path, _ in ROUTES if method == "POST" and path.startswith(N)]


@dataclass
class Roles:
    server: RunningServer
    http: dict[str, httpx.Client]


@pytest.fixture(scope="module")
def roles(
    redis_server: str, server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Roles]:
    flusher = redis.Redis.from_url(redis_server)
    flusher.flushall()
    flusher.close()
    import_directory(redis_server, tmp_path_factory.mktemp("directory"))
    names = ("counsellor", "supervisor", "admin")
    with ThreadPoolExecutor(len(names)) as pool:
        made = list(pool.map(lambda n: add_staff(redis_server, f"net-{n}", role=n), names))
    http = {name: login(server, creds) for name, creds in zip(names, made, strict=True)}
    http["anonymous"] = httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=10)
    yield Roles(server, http)
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
def test_route_matrix(roles: Roles, method: str, path: str, role: str, expected: str) -> None:
    client = roles.http[role]
    headers = {"Origin": roles.server.origin}
    resp = client.request(method, path, headers=headers, data={} if method == "POST" else None)
    assert _outcome(resp) == expected, (method, path, role, resp.text[:200])


@pytest.mark.parametrize("path", STAFF_POSTS)
@pytest.mark.parametrize("origin", [None, "https://evil.example", "http://127.0.0.1:1"])
def test_a_staff_post_from_elsewhere_is_refused(
    roles: Roles, path: str, origin: str | None
) -> None:
    headers = {"Origin": origin} if origin else {}
    resp = roles.http["admin"].post(path, headers=headers, data={})
    assert resp.status_code == 403, (path, origin, resp.status_code)


def test_every_network_route_is_in_the_matrix() -> None:
    client = aioredis.Redis()  # never connects: only the routes are read
    network = Network.open(client, b"k" * 32, 60, 60)
    gate = StaffGate(
        staff := StaffStore(client, b"k" * 32),
        csrf=CsrfTokens(b"c" * 32),
        sockets=ConsoleSockets(client, staff.sessions),
        address_key=str,
    )
    placeholders = {"nosuchthread": "{thread}", "nosuchevent": "{event}",
                    "nosuchrequest": "{request}", "jouren": "{org}"}  # fmt: skip
    listed = set()
    for method, path, _ in ROUTES:
        for name, placeholder in placeholders.items():
            path = path.replace(name, placeholder)
        listed.add((method, path))
    mounted = {
        (method, route.path)
        for route in network.routes(gate, AuditLog(client))
        if isinstance(route, Route)
        for method in (route.methods or set()) - {"HEAD"}
    }
    assert mounted
    assert mounted <= listed, mounted - listed
