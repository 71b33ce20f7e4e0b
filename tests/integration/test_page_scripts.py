"""The visitor's pages carry their scripts inline, each allowed by its CSP hash (issue 8).

A script loaded from a URL leaves an entry in Chromium's code cache naming the site
(tests/browser/test_no_trace_on_disk.py proves the profile side); here, the pages as served
by a real `fristad serve`: no `<script src>`, every inline script's hash in the policy, no
`'unsafe-inline'`, and the knowledge bank's quick exit going where FRISTAD_EXIT_URL says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest

from security.inline import csp_hash
from tests.support.server import RunningServer

EXIT_URL = "https://example.org/vaderleken"
VISITOR_PAGES = ["/", "/kb/", "/kb/?lang=ar", "/kb/search?q=hjalp", "/kb/sv/dina-rattigheter"]
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


@pytest.fixture(scope="module")
def custom(module_server_factory: Callable[..., RunningServer]) -> Iterator[httpx.Client]:
    srv = module_server_factory(FRISTAD_EXIT_URL=EXIT_URL)
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        yield client


def script_src(policy: str) -> list[str]:
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    return directives["script-src"].split()


@pytest.mark.parametrize("path", VISITOR_PAGES)
def test_every_script_is_inline_and_allowed_by_its_hash(custom: httpx.Client, path: str) -> None:
    response = custom.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    allowed = script_src(policy)
    scripts = SCRIPT.findall(response.text)
    assert scripts, "the quick exit at least"
    assert re.search(r"<script[^>]*\bsrc\s*=", response.text, re.I) is None
    for attributes, source in scripts:
        if 'type="application/json"' in attributes:
            continue  # data, never run: no hash needed
        assert attributes == ""
        assert csp_hash(source) in allowed, source[:80]


@pytest.mark.parametrize("path", VISITOR_PAGES)
def test_the_quick_exit_goes_where_the_service_is_told(custom: httpx.Client, path: str) -> None:
    html = custom.get(path).text
    assert f'data-exit-url="{EXIT_URL}"' in html
    links = re.findall(r"<a\b[^>]*\bdata-quick-exit\b[^>]*>", html)
    assert links
    for link in links:
        assert f'href="{EXIT_URL}"' in link


def test_a_language_switch_gets_that_languages_strings_only(custom: httpx.Client) -> None:
    answer = custom.get("/api/strings", params={"lang": "ar"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers.get_list("set-cookie") == []
    body = answer.json()
    assert body["lang"] == "ar"
    assert body["dir"] == "rtl"
    assert body["strings"]["start"] == "ابدأ الدردشة"
    assert custom.get("/api/strings", params={"lang": "xx"}).status_code == 404
    assert custom.get("/api/strings").status_code == 404


def test_the_page_opens_in_a_language_asked_for(custom: httpx.Client) -> None:
    html = custom.get("/", params={"lang": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in html
    assert '"lang":"ar"' in html
    assert '<html lang="sv" dir="ltr">' in custom.get("/", params={"lang": "xx"}).text
