"""Fuzzing the HTTP routes' parameters and forms with hypothesis, on a running server.

Whatever the query, path or form: never a 5xx, always `Cache-Control: no-store`, never a
`Set-Cookie` on a visitor route, JSON routes answer JSON, and the server logs no error.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote_from_bytes

import httpx
import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import LogCursor, import_directory
from tests.support.clients import login, url_quote
from tests.support.server import RunningServer, add_staff

SETTINGS: Final = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
EXAMPLES: Final = 120
LOGIN_EXAMPLES: Final = 30  # each login attempt costs the server an argon2id run

LONE_SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
WEIRD = st.sampled_from(
    ["", " ", "sv", "en", "ar", "xx", "SV", "sv\n", "../..", "%", "%00", "\x00", "*", "'", '"',
     "<script>", "2026-01-01", "2026-13-45", "1970-01-01", "9999-12-31", "0180", "control",
     "a" * 5000, "🌊" * 300, "١٢٣٤", "null", "[]", "{}"]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=50), WEIRD)
# Raw query strings that no well-behaved client would send: broken escapes, invalid UTF-8.
RAW_QUERIES = st.one_of(
    st.sampled_from(
        [b"q=%ff%fe&lang=%c0%af", b"q=%", b"q=%zz", b"&&&=&=", b"lang", b"q=" + b"%41" * 3000,
         b"from=2026-01-01&from=2026-02-01&to=x", b"q=%ED%A0%80", b"q[]=1&q[x]=2"]
    ),
    st.binary(max_size=40).map(lambda b: b"q=" + quote_from_bytes(b, safe="=&%").encode()),
)  # fmt: skip

VISITOR_JSON_ROUTES: Final = {
    "/api/kb/search": ("q", "lang"),
    "/api/topics": ("lang",),
    "/api/status": ("lang",),
    "/api/survey": ("lang",),
    "/api/professions": ("lang",),
    "/api/kb/articles": ("topic", "lang"),
    "/api/help/open": ("kommun", "topic"),
    "/api/strings": ("lang",),
    "/api/municipalities": ("lang",),
    "/api/districts": ("kommun",),
}
VISITOR_HTML_ROUTES: Final = {"/": ("lang",), "/kb/": ("lang",), "/kb/search": ("q", "lang")}


@dataclass
class Site:
    server: RunningServer
    anonymous: httpx.Client
    counsellor: httpx.Client
    supervisor: httpx.Client
    logs: LogCursor


@pytest.fixture(scope="module")
def site(
    redis_server: str, server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    flusher = redis.Redis.from_url(redis_server)
    flusher.flushall()
    flusher.close()
    import_directory(redis_server, tmp_path_factory.mktemp("directory"))
    with ThreadPoolExecutor(2) as pool:
        counsellor, supervisor = pool.map(
            lambda role: add_staff(redis_server, f"http-{role}", role=role),
            ("counsellor", "supervisor"),
        )
    clients = (
        httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=10),
        login(server, counsellor),
        login(server, supervisor),
    )
    logs = LogCursor(server)
    logs.skip()
    yield Site(server, *clients, logs=logs)
    for client in clients:
        client.close()


def problems_of(resp: httpx.Response, *, visitor: bool, json_route: bool) -> list[str]:
    where = f"{resp.request.method} {resp.request.url.raw_path!r}"[:200]
    found = []
    if resp.status_code >= 500:
        found.append(f"{where}: {resp.status_code}")
    if "no-store" not in resp.headers.get("cache-control", ""):
        found.append(f"{where}: Cache-Control {resp.headers.get('cache-control')!r}")
    if visitor and resp.headers.get_list("set-cookie"):
        found.append(f"{where}: Set-Cookie on a visitor route")
    if json_route and resp.status_code == 200:
        if not resp.headers.get("content-type", "").startswith("application/json"):
            found.append(f"{where}: {resp.headers.get('content-type')} from a JSON route")
        else:
            try:
                resp.json()
            except ValueError:
                found.append(f"{where}: a body that is not JSON")
    return found


def _params(names: tuple[str, ...]) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from([*names, "x", "lang"]), TEXTS, max_size=4)


def test_visitor_routes_take_any_query(site: Site) -> None:
    routes = {**VISITOR_JSON_ROUTES, **VISITOR_HTML_ROUTES}

    @settings(SETTINGS, max_examples=EXAMPLES * 2)
    @given(
        st.sampled_from(sorted(routes)).flatmap(lambda r: st.tuples(st.just(r), _params(routes[r])))
    )
    def request(case: tuple[str, dict[str, str]]) -> None:
        path, params = case
        resp = site.anonymous.get(path, params=params)
        assert problems_of(resp, visitor=True, json_route=path in VISITOR_JSON_ROUTES) == []

    request()
    assert site.logs.alarms() == []


def test_visitor_routes_take_any_raw_query(site: Site) -> None:
    @settings(SETTINGS, max_examples=EXAMPLES)
    @given(st.sampled_from(sorted({**VISITOR_JSON_ROUTES, **VISITOR_HTML_ROUTES})), RAW_QUERIES)
    def request(path: str, query: bytes) -> None:
        resp = site.anonymous.get(httpx.URL(site.server.base_url + path, query=query))
        assert problems_of(resp, visitor=True, json_route=path in VISITOR_JSON_ROUTES) == []

    request()
    assert site.logs.alarms() == []


def test_knowledge_bank_paths_take_anything(site: Site) -> None:
    @settings(SETTINGS, max_examples=EXAMPLES)
    @given(
        st.sampled_from(["/kb/{}/{}", "/api/kb/article/{}/{}"]),
        st.one_of(TEXTS, LONE_SURROGATES),
        st.one_of(TEXTS, st.sampled_from(["..", "%2e%2e", "index", "README", "edit"])),
    )
    def request(pattern: str, lang: str, slug: str) -> None:
        quoted = [url_quote(part.encode("utf-8", "surrogatepass").decode("latin-1")) or "x"
                  for part in (lang, slug)]  # fmt: skip
        path = pattern.format(*quoted)
        resp = site.anonymous.get(path)
        assert problems_of(resp, visitor=True, json_route=path.startswith("/api/")) == []
        assert resp.status_code in (200, 307, 400, 404), (path, resp.status_code)

    request()
    assert site.logs.alarms() == []


FORM_FIELDS = st.dictionaries(
    st.sampled_from(["username", "password", "totp", "x", "username[]"]),
    st.one_of(TEXTS, st.sampled_from(["http-counsellor", "000000", "x" * 300])),
    max_size=5,
)


def test_login_form_takes_any_form(site: Site) -> None:
    @settings(SETTINGS, max_examples=LOGIN_EXAMPLES)
    @given(
        st.one_of(
            FORM_FIELDS.map(lambda form: {"data": form}),
            st.binary(max_size=200).map(lambda body: {"content": body}),
            st.binary(max_size=200).map(
                lambda body: {
                    "content": body,
                    "headers": {"Content-Type": "multipart/form-data; boundary=x"},
                }
            ),
        )
    )
    def request(kwargs: dict[str, object]) -> None:
        with httpx.Client(base_url=site.server.base_url, timeout=10) as client:
            resp = client.post("/console/login", **kwargs)  # type: ignore[arg-type]  # httpx's keywords
        assert resp.status_code < 500, (kwargs, resp.status_code)
        assert "no-store" in resp.headers.get("cache-control", "")
        assert not resp.headers.get_list("set-cookie"), "a junk form logged someone in"

    request()
    assert site.logs.alarms() == []


def test_staff_routes_take_any_query(site: Site) -> None:
    @settings(SETTINGS, max_examples=EXAMPLES)
    @given(
        st.one_of(
            st.tuples(st.just("/admin/stats.csv"), _params(("from", "to"))),
            st.tuples(st.just("/api/directory"), _params(("kommun", "topic", "lang", "q", "open"))),
        ),
        st.sampled_from(["counsellor", "supervisor"]),
    )
    def request(case: tuple[str, dict[str, str]], who: str) -> None:
        path, params = case
        client = site.supervisor if who == "supervisor" else site.counsellor
        resp = client.get(path, params=params)
        assert problems_of(resp, visitor=False, json_route=path.startswith("/api/")) == []
        if path == "/admin/stats.csv" and who == "supervisor" and resp.status_code == 200:
            assert resp.text.startswith("from,to,measure,category,count")

    request()
    assert site.logs.alarms() == []
