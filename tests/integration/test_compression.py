"""Text responses are gzipped when asked, only where no secret can be in them (BREACH), and
compression keeps every other header (Cache-Control: no-store above all)."""

from __future__ import annotations

import httpx
import pytest

from service.compression import MINIMUM_SIZE
from tests.support.server import RunningServer

GZIP = {"Accept-Encoding": "gzip"}
PUBLIC = ("/", "/kb/", "/kb/sv/hjalp-nu", "/kb/search?q=hj%C3%A4lp", "/static/visit/visit.css")


def get(server: RunningServer, path: str, **headers: str) -> httpx.Response:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        return client.get(path, headers=headers)


@pytest.mark.parametrize("path", PUBLIC)
def test_public_text_is_compressed_and_keeps_its_headers(fresh: RunningServer, path: str) -> None:
    plain = get(fresh, path, **{"Accept-Encoding": "identity"})
    packed = get(fresh, path, **GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.content == plain.content, "the same bytes once decompressed"
    assert packed.num_bytes_downloaded < len(plain.content) / 2
    for name in ("cache-control", "content-security-policy", "x-content-type-options"):
        assert packed.headers[name] == plain.headers[name], name
    assert packed.headers["cache-control"] == "no-store"
    assert "set-cookie" not in packed.headers


def test_no_compression_with_credentials(fresh: RunningServer) -> None:
    """A request with a cookie may get a page with a secret in it: never compressed."""
    resp = get(fresh, "/kb/search?q=test", Cookie="fristad_session=x", **GZIP)
    assert resp.status_code == 200
    assert "content-encoding" not in resp.headers


def test_staff_pages_are_never_compressed(fresh: RunningServer) -> None:
    resp = get(fresh, "/console/login", **GZIP)
    assert resp.status_code == 200
    assert len(resp.content) > MINIMUM_SIZE, "large enough that it would be compressed"
    assert "content-encoding" not in resp.headers
    assert resp.headers["cache-control"] == "no-store"
