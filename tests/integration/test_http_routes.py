"""surface.md "Routes": visitor-side headers, operations routes, the staff redirect."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.server import RunningServer

VISITOR_ROUTES = [
    "/",
    "/api/topics",
    "/api/languages",
    "/api/status",
    "/api/survey",
    "/api/professions",
    "/api/municipalities",
    "/api/districts?kommun=0180",
    "/exit",
    "/healthz",
    # The stylesheets every visitor page loads (chat/web/static/site.css for the chat page and the
    # knowledge bank alike): not kept on the device either.
    "/static/visit/site.css",
    "/static/visit/visit.css",
    "/static/kb/kb.css",
]


@pytest.fixture
def http(fresh: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fresh.base_url, follow_redirects=False, timeout=10) as client:
        yield client


@pytest.mark.parametrize("path", VISITOR_ROUTES)
def test_visitor_route_is_never_cached_and_sets_no_cookie(http: httpx.Client, path: str) -> None:
    resp = http.get(path)
    assert resp.is_success, (path, resp.status_code)
    cache_control = [p.strip().lower() for p in resp.headers.get("cache-control", "").split(",")]
    assert "no-store" in cache_control, (path, resp.headers.get("cache-control"))
    assert resp.headers.get_list("set-cookie") == [], (path, resp.headers.get_list("set-cookie"))


@pytest.mark.parametrize("path", VISITOR_ROUTES)
def test_visitor_route_sets_no_cookie_even_when_sent_one(http: httpx.Client, path: str) -> None:
    resp = http.get(path, headers={"Cookie": "tracker=1; session=abc"})
    assert resp.headers.get_list("set-cookie") == []
    assert "no-store" in resp.headers.get("cache-control", "").lower()


def test_exit_clears_site_data(http: httpx.Client) -> None:
    resp = http.get("/exit")
    parts = {p.strip() for p in resp.headers.get("clear-site-data", "").split(",")}
    assert parts == {'"cache"', '"cookies"', '"storage"'}, resp.headers.get("clear-site-data")


def test_visitor_page_is_html(http: httpx.Client) -> None:
    resp = http.get("/")
    assert resp.headers["content-type"].startswith("text/html")
    assert "<html" in resp.text.lower()


def test_languages_lists_the_seven_codes(http: httpx.Client) -> None:
    """protocol.md "Languages": every code `hello.lang` accepts, with name, dir and complete."""
    languages = http.get("/api/languages").json()["languages"]
    assert [lang["code"] for lang in languages] == ["sv", "en", "ar", "fa", "so", "ckb", "ti"]
    by_code = {lang["code"]: lang for lang in languages}
    assert by_code["fa"] == {"code": "fa", "name": "فارسی", "dir": "rtl", "complete": False}
    assert [c for c, lang in by_code.items() if lang["dir"] == "rtl"] == ["ar", "fa", "ckb"]


def test_topics_shape(http: httpx.Client) -> None:
    topics = http.get("/api/topics").json()["topics"]
    assert topics
    for t in topics:
        assert isinstance(t["code"], str)
        assert t["code"]
        assert isinstance(t["label"], str)
        assert t["label"]
    assert len({t["code"] for t in topics}) == len(topics)


def test_topics_in_the_asked_language(http: httpx.Client) -> None:
    sv = http.get("/api/topics", params={"lang": "sv"}).json()["topics"]
    en = http.get("/api/topics", params={"lang": "en"}).json()["topics"]
    assert [t["code"] for t in sv] == [t["code"] for t in en]


def test_professions_shape(http: httpx.Client) -> None:
    professions = http.get("/api/professions").json()["professions"]
    assert professions
    assert all(isinstance(p["code"], str) and isinstance(p["label"], str) for p in professions)


def test_municipalities_shape(http: httpx.Client) -> None:
    items = http.get("/api/municipalities").json()["municipalities"]
    assert len(items) == 290
    assert {"code": "0180", "name": "Stockholm"} in items
    assert {"code": "2584", "name": "Kiruna"} in items
    assert all(set(item) == {"code", "name"} for item in items)


@pytest.mark.parametrize(
    ("kommun", "count", "example"),
    [
        ("0180", 13, {"code": "rinkeby-kista", "name": "Rinkeby-Kista"}),
        ("1480", 10, {"code": "angered", "name": "Angered"}),
        ("1280", 10, {"code": "rosengard", "name": "Rosengård"}),
    ],
)
def test_districts_of_the_three_cities(
    http: httpx.Client, kommun: str, count: int, example: dict[str, str]
) -> None:
    items = http.get("/api/districts", params={"kommun": kommun}).json()["districts"]
    assert len(items) == count
    assert example in items


@pytest.mark.parametrize("kommun", ["2480", "9999", "", "<script>"])
def test_no_districts_elsewhere(http: httpx.Client, kommun: str) -> None:
    assert http.get("/api/districts", params={"kommun": kommun}).json() == {"districts": []}


def test_survey_shape(http: httpx.Client) -> None:
    questions = http.get("/api/survey").json()["questions"]
    assert questions
    for q in questions:
        assert isinstance(q["key"], str)
        assert isinstance(q["label"], str)
        assert q["kind"] in ("choice", "scale", "text")
        if q["kind"] == "choice":
            assert q["options"]


def test_status_shape(http: httpx.Client) -> None:
    status = http.get("/api/status").json()
    assert status["open"] is True
    assert status["queue"] == {"youth": 0, "professional": 0}
    assert status.get("eta_s") is None or isinstance(status["eta_s"], int)


def test_healthz_and_readyz(http: httpx.Client) -> None:
    assert http.get("/healthz").status_code == 200
    assert http.get("/readyz").status_code == 200


def test_console_redirects_anonymous_to_login(http: httpx.Client) -> None:
    resp = http.get("/console")
    assert resp.status_code == 303
    assert resp.headers["location"].endswith("/console/login")


def test_console_with_forged_cookie_redirects(http: httpx.Client) -> None:
    resp = http.get("/console", headers={"Cookie": "session=forged; __Host-session=forged"})
    assert resp.status_code == 303
    assert resp.headers["location"].endswith("/console/login")


def test_login_page(http: httpx.Client) -> None:
    resp = http.get("/console/login")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    for field in ("username", "password", "totp"):
        assert f'name="{field}"' in resp.text, field


@pytest.mark.parametrize("path", ["/metrics"])
def test_metrics_refused_anonymously(http: httpx.Client, path: str) -> None:
    resp = http.get(path)
    assert resp.status_code in (303, 403), resp.status_code
    if resp.status_code == 303:
        assert resp.headers["location"].endswith("/console/login")
