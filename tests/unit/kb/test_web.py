"""Routes, through Starlette's TestClient on a small app built from `create_kb_routes`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from kb.bank import KnowledgeBank
from kb.pages import PageChrome
from kb.web import create_kb_routes
from security.inline import InlineScript
from security.roles import Role, StaffIdentity

STAFF_HEADER = "x-test-staff"


async def fake_current_staff(request: Request) -> StaffIdentity | None:
    """Staff identity from a test header: enough to drive every branch of the routes."""
    role = request.headers.get(STAFF_HEADER)
    if role is None:
        return None
    return StaffIdentity(username=f"{role}1", display_name=role.title(), role=Role(role))


EXIT_URL = "https://example.org/vader"
QUICK_EXIT = InlineScript.of("quickexit.js", "window.fristadQuickExitForTest = 1;")
CHROME = PageChrome(exit_url=EXIT_URL, head_html=QUICK_EXIT.tag)


@pytest.fixture(scope="module")
def client(bank: KnowledgeBank) -> Iterator[TestClient]:
    app = Starlette(routes=create_kb_routes(bank, fake_current_staff, chrome=CHROME))
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


VISITOR_PAGES = [
    "/kb/",
    "/kb/?lang=ar",
    "/kb/search?q=tv%C3%A5ngs%C3%A4ktenskap&lang=sv",
    "/kb/sv/dina-rattigheter",
    "/kb/en/your-rights",
    "/kb/ar/your-rights",
]


class TestVisitorPrivacy:
    @pytest.mark.parametrize("path", VISITOR_PAGES)
    def test_page_follows_visitor_rules(self, client: TestClient, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert response.headers["cache-control"] == "no-store"
        html = response.text
        assert 'data-quick-exit class="quick-exit"' in html
        # The quick exit inline (a script from a URL leaves a code-cache entry), going where
        # the service says (FRISTAD_EXIT_URL), not to a target of the bank's own.
        assert QUICK_EXIT.tag in html
        assert "<script src" not in html
        assert f'data-exit-url="{EXIT_URL}"' in html
        assert f'href="{EXIT_URL}" data-quick-exit' in html
        assert '<link rel="icon" href="data:,">' in html

    @pytest.mark.parametrize("path", VISITOR_PAGES)
    def test_page_has_no_other_script_style_or_handlers(
        self, client: TestClient, path: str
    ) -> None:
        html = client.get(path).text
        # Only the chrome's scripts, whose hashes the service puts in the CSP.
        assert re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S) == [QUICK_EXIT.source]
        assert "<style" not in html
        assert re.search(r"\sstyle=", html) is None
        assert re.search(r"\son[a-z]+=", html) is None

    @pytest.mark.parametrize("path", VISITOR_PAGES)
    def test_title_is_neutral(self, client: TestClient, path: str) -> None:
        title = re.search(r"<title>(.*?)</title>", client.get(path).text)
        assert title is not None
        assert title.group(1) in {"Kunskapsbank", "Knowledge bank", "بنك المعرفة"}

    @pytest.mark.parametrize("path", VISITOR_PAGES)
    def test_every_input_is_unremembered(self, client: TestClient, path: str) -> None:
        for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", client.get(path).text):
            assert 'autocomplete="off"' in tag
            assert 'spellcheck="false"' in tag

    def test_arabic_article_is_right_to_left(self, client: TestClient) -> None:
        html = client.get("/kb/ar/help-now").text
        assert '<html lang="ar" dir="rtl">' in html

    def test_swedish_article_is_left_to_right(self, client: TestClient) -> None:
        assert '<html lang="sv" dir="ltr">' in client.get("/kb/sv/hjalp-nu").text


class TestArticlePage:
    def test_language_switcher_links_translations(self, client: TestClient) -> None:
        html = client.get("/kb/sv/konsstympning").text
        assert 'href="/kb/en/female-genital-mutilation"' in html
        assert 'href="/kb/ar/female-genital-mutilation"' in html

    def test_related_articles_are_linked(self, client: TestClient) -> None:
        html = client.get("/kb/sv/konsstympning").text
        assert 'href="/kb/sv/rad-att-foras-utomlands"' in html

    def test_unknown_article_is_404(self, client: TestClient) -> None:
        assert client.get("/kb/sv/finns-inte").status_code == 404

    def test_unknown_language_is_404(self, client: TestClient) -> None:
        assert client.get("/kb/xx/hjalp-nu").status_code == 404

    def test_staff_article_is_hidden_from_visitors(self, client: TestClient) -> None:
        response = client.get("/kb/sv/rutin-riskbedomning")
        assert response.status_code == 404
        assert "riskbedömning" not in response.text.lower()

    def test_staff_article_is_shown_to_staff(self, client: TestClient) -> None:
        response = client.get("/kb/sv/rutin-riskbedomning", headers={STAFF_HEADER: "counsellor"})
        assert response.status_code == 200
        assert "Rutin för riskbedömning" in response.text

    def test_index_lists_staff_articles_only_for_staff(self, client: TestClient) -> None:
        assert "rutin-riskbedomning" not in client.get("/kb/").text
        staff_page = client.get("/kb/", headers={STAFF_HEADER: "counsellor"}).text
        assert "rutin-riskbedomning" in staff_page


class TestSearchApi:
    def test_shape_and_order(self, client: TestClient) -> None:
        response = client.get("/api/kb/search", params={"q": "könsstympning", "lang": "sv"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        results = response.json()["results"]
        assert results[0]["slug"] == "konsstympning"
        assert set(results[0]) == {"slug", "lang", "title", "snippet", "audience"}

    def test_staff_results_only_for_staff(self, client: TestClient) -> None:
        params = {"q": "rutin riskbedömning", "lang": "sv"}
        anonymous = client.get("/api/kb/search", params=params).json()["results"]
        assert all(r["audience"] != "staff" for r in anonymous)
        staff = client.get("/api/kb/search", params=params, headers={STAFF_HEADER: "counsellor"})
        assert staff.json()["results"][0]["slug"] == "rutin-riskbedomning"

    def test_empty_query_finds_nothing(self, client: TestClient) -> None:
        assert client.get("/api/kb/search", params={"q": " "}).json() == {"results": []}

    def test_bad_language_is_400(self, client: TestClient) -> None:
        assert client.get("/api/kb/search", params={"q": "x", "lang": "zz"}).status_code == 400

    def test_overlong_query_is_cut_not_refused(self, client: TestClient) -> None:
        response = client.get("/api/kb/search", params={"q": "våld " * 2000})
        assert response.status_code == 200

    def test_snippet_is_plain_text(self, client: TestClient) -> None:
        results = client.get("/api/kb/search", params={"q": "bris"}).json()["results"]
        assert results
        assert all("<" not in r["snippet"] for r in results)


class TestQueueApi:
    def test_articles_for_topic_in_language(self, client: TestClient) -> None:
        response = client.get("/api/kb/articles", params={"topic": "fgm", "lang": "ar"})
        results = response.json()["results"]
        assert {r["lang"] for r in results} == {"ar"}
        assert "female-genital-mutilation" in [r["slug"] for r in results]
        assert results[0]["audience"] == "youth"

    def test_topic_articles_never_staff_for_visitors(self, client: TestClient) -> None:
        for topic in ("violence", "abroad", "forced_marriage", "control"):
            results = client.get("/api/kb/articles", params={"topic": topic}).json()["results"]
            assert all(r["audience"] != "staff" for r in results)

    def test_unknown_topic_is_400(self, client: TestClient) -> None:
        response = client.get("/api/kb/articles", params={"topic": "nope", "lang": "sv"})
        assert response.status_code == 400

    def test_article_json(self, client: TestClient) -> None:
        body = client.get("/api/kb/article/ar/help-now").json()
        assert body["dir"] == "rtl"
        assert body["lang"] == "ar"
        assert "112" in body["html"]
        assert "<script" not in body["html"]

    def test_staff_article_json_is_404_for_visitors(self, client: TestClient) -> None:
        response = client.get("/api/kb/article/sv/rutin-riskbedomning")
        assert response.status_code == 404
        assert response.json() == {"error": "not found"}


class TestEditingAccess:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/kb/edit/"),
            ("GET", "/kb/edit/new"),
            ("POST", "/kb/edit/drafts"),
            ("GET", "/kb/edit/drafts/abc"),
            ("POST", "/kb/edit/drafts/abc/publish"),
        ],
    )
    def test_anonymous_is_sent_to_login(self, client: TestClient, method: str, path: str) -> None:
        response = client.request(method, path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login"

    def test_staff_sees_overview(self, client: TestClient) -> None:
        response = client.get("/kb/edit/", headers={STAFF_HEADER: "counsellor"})
        assert response.status_code == 200
        assert "rutin-riskbedomning" in response.text

    def test_editor_starts_from_existing_article(self, client: TestClient) -> None:
        response = client.get(
            "/kb/edit/new", params={"from": "sv/hjalp-nu"}, headers={STAFF_HEADER: "counsellor"}
        )
        assert "slug: hjalp-nu" in response.text

    def test_post_without_origin_is_refused(self, client: TestClient) -> None:
        response = client.post(
            "/kb/edit/drafts",
            data={"source": "x", "action": "preview"},
            headers={STAFF_HEADER: "counsellor"},
        )
        assert response.status_code == 403

    def test_post_from_other_origin_is_refused(self, client: TestClient) -> None:
        response = client.post(
            "/kb/edit/drafts",
            data={"source": "x", "action": "preview"},
            headers={STAFF_HEADER: "counsellor", "origin": "https://evil.example"},
        )
        assert response.status_code == 403

    def test_preview_renders_sanitised(self, client: TestClient, bank: KnowledgeBank) -> None:
        article = bank.get("sv", "hjalp-nu", include_staff=False)
        assert article is not None
        source = article.source + "\n<script>alert(1)</script>\n"
        response = client.post(
            "/kb/edit/drafts",
            data={"source": source, "action": "preview"},
            headers={STAFF_HEADER: "counsellor", "origin": "http://testserver"},
        )
        assert response.status_code == 200
        assert "Förhandsgranskning" in response.text
        assert "<script>alert" not in response.text

    def test_preview_reports_bad_front_matter(self, client: TestClient) -> None:
        response = client.post(
            "/kb/edit/drafts",
            data={"source": "no front matter", "action": "preview"},
            headers={STAFF_HEADER: "counsellor", "origin": "http://testserver"},
        )
        assert response.status_code == 422
        assert "front matter" in response.text

    def test_counsellor_may_not_publish(self, client: TestClient) -> None:
        response = client.post(
            "/kb/edit/drafts/abc/publish",
            headers={STAFF_HEADER: "counsellor", "origin": "http://testserver"},
        )
        assert response.status_code == 403

    def test_saving_without_store_is_503(self, client: TestClient, bank: KnowledgeBank) -> None:
        article = bank.get("sv", "hjalp-nu", include_staff=False)
        assert article is not None
        response = client.post(
            "/kb/edit/drafts",
            data={"source": article.source, "action": "save"},
            headers={STAFF_HEADER: "admin", "origin": "http://testserver"},
        )
        assert response.status_code == 503

    def test_oversized_form_is_413(self, client: TestClient) -> None:
        response = client.post(
            "/kb/edit/drafts",
            content=b"source=" + b"a" * 300_000,
            headers={
                STAFF_HEADER: "counsellor",
                "origin": "http://testserver",
                "content-type": "application/x-www-form-urlencoded",
            },
        )
        assert response.status_code == 413


def test_editor_pages_keep_the_origin_header(client: TestClient) -> None:
    # With a no-referrer policy browsers send "Origin: null" on a form POST, which the Origin
    # check refuses; the editor pages must ask for same-origin referrers.
    html = client.get("/kb/edit/new", headers={STAFF_HEADER: "counsellor"}).text
    assert '<meta name="referrer" content="same-origin">' in html
