"""Which requests may get a compressed answer (service/compression.py, BREACH)."""

from __future__ import annotations

import pytest
from starlette.types import Scope

from service.compression import may_compress


def scope(path: str, *headers: tuple[bytes, bytes]) -> Scope:
    return {"type": "http", "path": path, "headers": list(headers)}


@pytest.mark.parametrize(
    "path", ["/", "/kb/", "/kb/sv/hjalp-nu", "/kb/search", "/static/visit/visit.js", "/api/topics"]
)
def test_public_paths_without_credentials(path: str) -> None:
    assert may_compress(scope(path, (b"accept-encoding", b"gzip")))


@pytest.mark.parametrize(
    "path",
    [
        "/console", "/console/login", "/admin", "/metrics", "/api/directory",
        "/kb/edit/", "/kb/edit/drafts/1", "/api/riskguide", "/api/admin/audit",
    ],
)  # fmt: skip
def test_staff_paths_never(path: str) -> None:
    assert not may_compress(scope(path))


@pytest.mark.parametrize("name", [b"cookie", b"Cookie", b"authorization"])
def test_credentials_never(name: bytes) -> None:
    assert not may_compress(scope("/kb/search", (name, b"x")))
