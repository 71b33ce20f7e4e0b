"""The shipped knowledge bank, loaded once: building the index is the slow part."""

from __future__ import annotations

import pytest

from kb.bank import KnowledgeBank


@pytest.fixture(scope="session")
def bank() -> KnowledgeBank:
    return KnowledgeBank.default()
