"""Inline scripts and their CSP hashes (issue 8: no script from a URL on the visitor's pages)."""

from __future__ import annotations

import json
import re
import warnings

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from security.headers import (
    CONTENT_SECURITY_POLICY,
    SecurityHeadersMiddleware,
    content_security_policy,
)
from security.inline import InlineScript, InlineScriptError, csp_hash, hashes_of, json_data_block

# As in test_headers.py: Starlette warns at import when its TestClient runs on httpx.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


class TestHash:
    def test_matches_the_csp_specification_example(self) -> None:
        # CSP Level 3, "hash-source" example.
        assert csp_hash("alert('Hello, world.');") == (
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        )

    def test_is_over_utf8_bytes(self) -> None:
        assert csp_hash("'Lämna'") != csp_hash("'Lamna'")
        assert csp_hash("x") != csp_hash("x ")  # whitespace counts: the tag adds none

    def test_tag_is_exactly_the_hashed_text(self) -> None:
        script = InlineScript.of("a.js", "var a = 1;\n")
        assert script.tag == "<script>var a = 1;\n</script>"
        assert script.hash == csp_hash("var a = 1;\n")

    @pytest.mark.parametrize(
        "text", ["x = '</script>';", "x = '</SCRIPT ';", "<!-- x", "'<script'"]
    )
    def test_text_that_would_leave_the_element_is_refused(self, text: str) -> None:
        with pytest.raises(InlineScriptError, match=r"a\.js"):
            InlineScript.of("a.js", text)

    def test_hashes_are_distinct_and_ordered(self) -> None:
        a, b = InlineScript.of("a.js", "1"), InlineScript.of("b.js", "2")
        assert hashes_of([b, a, b]) == (b.hash, a.hash)


class TestPolicy:
    def test_without_hashes_it_is_the_base_policy(self) -> None:
        assert content_security_policy() == CONTENT_SECURITY_POLICY

    def test_hashes_join_script_src_and_nothing_loosens(self) -> None:
        one, two = csp_hash("1"), csp_hash("2")
        policy = content_security_policy((one, two))
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == f"'self' {one} {two}"
        assert "unsafe-inline" not in policy
        assert policy.replace(f" {one} {two}", "") == CONTENT_SECURITY_POLICY

    @pytest.mark.parametrize("bad", ["'unsafe-inline'", "*", "'sha256-a' 'unsafe-eval'"])
    def test_anything_but_a_hash_is_refused(self, bad: str) -> None:
        with pytest.raises(ValueError, match="not a CSP hash"):
            content_security_policy((bad,))

    def test_the_middleware_sends_the_hashes(self) -> None:
        async def page(request: Request) -> Response:
            return PlainTextResponse("hej")

        app = SecurityHeadersMiddleware(
            Starlette(routes=[Route("/", page)]), script_hashes=(csp_hash("1"),)
        )
        response = TestClient(app).get("/")
        assert response.headers.get_list("content-security-policy") == [
            content_security_policy((csp_hash("1"),))
        ]


class TestDataBlock:
    def test_no_value_can_end_the_element(self) -> None:
        block = json_data_block("page-data", {"x": "</script><!-- & >"})
        inner = re.fullmatch(r'<script type="application/json" id="page-data">(.*)</script>', block)
        assert inner is not None
        assert "<" not in inner.group(1)
        assert ">" not in inner.group(1)
        assert json.loads(inner.group(1)) == {"x": "</script><!-- & >"}

    def test_keeps_every_script_as_written(self) -> None:
        block = json_data_block("d", {"ar": "العربية"})
        assert "العربية" in block
