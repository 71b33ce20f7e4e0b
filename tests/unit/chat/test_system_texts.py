"""The service's own lines in a chat reach every visitor in their language (issue 12)."""

from __future__ import annotations

import pytest

from chat.languages import LANGUAGE_CODES
from chat.system_texts import (
    HANDOVER_TEXT,
    REFERRAL_LABELS,
    REQUEUE_TEXT,
    handover_text,
    referral_label,
    requeue_text,
)
from counsellor_console.directory import card_as_text

CARD = {
    "name": "Exempelmottagningen",
    "helps_with": "stöd",
    "contact": [{"kind": "phone", "value": "08-123 45"}, {"kind": "web", "value": "https://x.se"}],
}


@pytest.mark.parametrize("table", [REQUEUE_TEXT, HANDOVER_TEXT, REFERRAL_LABELS])
def test_every_language_of_hello_has_every_text(table: object) -> None:
    assert isinstance(table, dict)
    assert set(table) == set(LANGUAGE_CODES)
    for lang, value in table.items():
        assert value, lang
        if isinstance(value, dict):
            assert set(value) == set(REFERRAL_LABELS["en"]), lang
            assert all(v.strip() for v in value.values()), lang


def test_a_language_without_a_text_gets_english_never_swedish() -> None:
    assert requeue_text("xx") == REQUEUE_TEXT["en"]
    assert handover_text("xx", "Sara") == "Sara is taking over the conversation."
    assert referral_label("xx", "phone") == "Phone"
    assert referral_label("sv", "fax") == "fax"


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_the_handover_names_the_colleague(lang: str) -> None:
    assert "Sara" in handover_text(lang, "Sara")


def test_the_referral_card_line_is_in_the_visitors_language() -> None:
    assert card_as_text(CARD, "sv").splitlines() == [  # type: ignore[arg-type]
        "Tips: Exempelmottagningen: stöd",
        "Telefon: 08-123 45",
        "Webb: https://x.se",
    ]
    arabic = card_as_text(CARD, "ar")  # type: ignore[arg-type]
    assert arabic.startswith("نصيحة: Exempelmottagningen")
    assert "الهاتف: 08-123 45" in arabic
    assert "Telefon" not in arabic
    assert card_as_text(CARD, "en").splitlines()[1] == "Phone: 08-123 45"  # type: ignore[arg-type]
