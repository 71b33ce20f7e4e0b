"""The service's own lines in a chat reach every visitor in their language (issue 12)."""

from __future__ import annotations

import pytest

from chat.domain.languages import LANGUAGE_CODES
from chat.texts.catalogue import visitor_catalogues
from chat.texts.system_texts import (
    HANDOVER,
    REFERRAL_LABELS,
    REQUEUE,
    SourceText,
    handover_text,
    in_language,
    referral_label,
    requeue_text,
)
from counsellor_console.domain.directory import card_as_text

CARD = {
    "name": "Exempelmottagningen",
    "helps_with": "stöd",
    "contact": [{"kind": "phone", "value": "08-123 45"}, {"kind": "web", "value": "https://x.se"}],
}


SOURCES = [REQUEUE, HANDOVER, *REFERRAL_LABELS.values()]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.key)
@pytest.mark.parametrize("lang", [code for code in LANGUAGE_CODES if code != "en"])
def test_every_language_of_hello_has_every_text(lang: str, source: SourceText) -> None:
    assert lang in visitor_catalogues().languages
    translated = in_language(source, lang)
    assert translated.strip()
    assert translated != source.english, (lang, source.key)


def test_a_language_without_a_text_gets_english_never_swedish() -> None:
    assert requeue_text("xx") == REQUEUE.english
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
