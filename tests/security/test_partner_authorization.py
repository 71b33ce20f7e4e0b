"""The partner role across every route of both matrices (issue 13).

A partner is bound to one organisation and may use only: their own page (``/partner``),
their organisation's entry, the experts' space, the partners' calendar feed and their
account page. Every other staff route refuses them (403, or the login page where the route
treats them as not logged in), the console socket with 403. The rows are taken from
tests/security/test_authorization.py and test_network_authorization.py, so a route added
there is checked for partners here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import httpx
import pytest
import redis

from tests.security import test_authorization as staff_matrix
from tests.security import test_network_authorization as network_matrix
from tests.security.conftest import import_directory
from tests.support.clients import (
    CSRF_HEADER,
    connect_ws,
    cookie_header,
    csrf_token,
    login_attempt,
    totp_now,
)
from tests.support.server import RunningServer, StaffCredentials, add_staff

N: Final = "/console/network"
REFUSED: Final = frozenset({"403", "303 /console/login"})
#: What a partner bound to "jouren" gets where they are let in (the empty POST forms).
PARTNER_ALLOWED: Final[dict[tuple[str, str], str]] = {
    ("GET", "/partner"): "200",
    ("POST", "/partner/entry/jouren"): "422",  # nothing filled in: the name is required
    ("POST", "/partner/confirm/jouren"): "303 /partner",
    ("GET", "/console/account"): "200",
    ("GET", f"{N}/experts"): "200",
    ("POST", f"{N}/experts"): "422",
    ("GET", f"{N}/experts/nosuchthread"): "404",
    ("POST", f"{N}/experts/nosuchthread/posts"): "404",
    ("POST", f"{N}/experts/nosuchthread/close"): "404",
    ("GET", f"{N}/calendar/partners.ics"): "200",
}
ALL_ROUTES: Final = [
    (method, path, outcomes[0])
    for method, path, outcomes in [*staff_matrix.ROUTES, *network_matrix.ROUTES]
]


def _outcome(resp: httpx.Response) -> str:
    if resp.status_code in (302, 303, 307):
        return f"{resp.status_code} {httpx.URL(resp.headers.get('location', '')).path}"
    return str(resp.status_code)


@dataclass
class Partners:
    server: RunningServer
    creds: StaffCredentials
    http: httpx.Client


def partner_login(server: RunningServer, creds: StaffCredentials) -> httpx.Client:
    client, resp = login_attempt(
        server, creds.username, creds.password, totp_now(creds.totp_secret_b32)
    )
    assert _outcome(resp) == "303 /partner", resp.text[:300]  # a partner lands on their page
    client.headers[CSRF_HEADER] = csrf_token(client, "/partner")
    return client


@pytest.fixture(scope="module")
def partner(
    redis_server: str, server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Partners]:
    flusher = redis.Redis.from_url(redis_server)
    flusher.flushall()
    flusher.close()
    import_directory(redis_server, tmp_path_factory.mktemp("directory"))
    creds = add_staff(redis_server, "authz-partner", role="partner", org="jouren")
    http = partner_login(server, creds)
    yield Partners(server, creds, http)
    http.close()


@pytest.mark.parametrize(
    ("method", "path", "anonymous"),
    [pytest.param(m, p, a, id=f"{m} {p}") for m, p, a in ALL_ROUTES],
)
def test_a_partner_reaches_only_their_part(
    partner: Partners, method: str, path: str, anonymous: str
) -> None:
    kwargs: dict[str, Any] = {"headers": {"Origin": partner.server.origin}}
    if path == "/api/riskguide/answers":
        kwargs["json"] = staff_matrix.RISK_ANSWERS
    elif method == "POST":
        kwargs["data"] = {}
    got = _outcome(partner.http.request(method, path, **kwargs))
    if (method, path) in PARTNER_ALLOWED:
        assert got == PARTNER_ALLOWED[(method, path)], (method, path)
    elif anonymous in REFUSED:
        assert got in REFUSED, (method, path, got)
    else:  # public: the same as for anyone
        assert got == anonymous, (method, path, got)


def test_every_partner_route_is_in_the_matrices() -> None:
    listed = {(m, p) for m, p, _ in ALL_ROUTES}
    assert set(PARTNER_ALLOWED) <= listed, set(PARTNER_ALLOWED) - listed


async def test_a_partner_never_opens_the_console_socket(partner: Partners) -> None:
    server = partner.server
    try:
        client = await connect_ws(
            server, "/ws/console", server.origin, {"Cookie": cookie_header(partner.http)}
        )
    except Exception as exc:  # websockets' InvalidStatus carries the HTTP response
        status = int(getattr(getattr(exc, "response", None), "status_code", 0))
        assert status == 403
    else:
        await client.close()
        raise AssertionError("a partner opened /ws/console")


@pytest.mark.parametrize("org", ["skyddat", "nosuchorg"])
@pytest.mark.parametrize("action", ["entry", "confirm"])
def test_a_partner_touches_no_other_organisation(partner: Partners, org: str, action: str) -> None:
    resp = partner.http.post(
        f"/partner/{action}/{org}",
        data={"name": "Kapat"},
        headers={"Origin": partner.server.origin},
    )
    assert resp.status_code == 403


@pytest.mark.parametrize("path", ["/partner/entry/jouren", "/partner/confirm/jouren"])
def test_a_partners_posts_need_the_csrf_token(partner: Partners, path: str) -> None:
    bare = httpx.Client(
        base_url=partner.server.base_url,
        cookies=dict(partner.http.cookies.items()),
        follow_redirects=False,
        timeout=10,
    )
    try:
        resp = bare.post(path, data={"name": "x"}, headers={"Origin": partner.server.origin})
    finally:
        bare.close()
    assert resp.status_code == 403
