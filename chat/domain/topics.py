"""Reason codes a visitor may pick, and profession codes for the professional channel.

The codes are part of the contract (`GET /api/topics`, `GET /api/professions`, the `topic`
field of `hello`, the `reasons` of a console `end`). Labels are content the centre reviews.
"""

from __future__ import annotations

from typing import Final

LANGS: Final = ("sv", "en", "ar")
DEFAULT_LANG: Final = "sv"

# code -> label per language
TOPICS: Final[dict[str, dict[str, str]]] = {
    "control": {
        "sv": "Kontroll och begränsningar hemma",
        "en": "Control and restrictions at home",
        "ar": "السيطرة والقيود في البيت",
    },
    "forced_marriage": {
        "sv": "Tvångsäktenskap eller barnäktenskap",
        "en": "Forced or child marriage",
        "ar": "الزواج القسري أو زواج الأطفال",
    },
    "abroad": {
        "sv": "Rädd att bli förd utomlands",
        "en": "Afraid of being taken abroad",
        "ar": "الخوف من الأخذ إلى الخارج",
    },
    "violence": {
        "sv": "Våld eller hot",
        "en": "Violence or threats",
        "ar": "العنف أو التهديد",
    },
    "fgm": {
        "sv": "Könsstympning",
        "en": "Female genital mutilation",
        "ar": "تشويه الأعضاء التناسلية الأنثوية",
    },
    "sexuality": {
        "sv": "Sexualitet, kärlek och identitet",
        "en": "Sexuality, love and identity",
        "ar": "الجنسانية والحب والهوية",
    },
    "online": {
        "sv": "Kontroll på nätet och mobilen",
        "en": "Control online and on your phone",
        "ar": "المراقبة على الإنترنت والهاتف",
    },
    "housing": {
        "sv": "Att flytta hemifrån eller skyddat boende",
        "en": "Moving out or protected housing",
        "ar": "ترك البيت أو السكن المحمي",
    },
    "other": {
        "sv": "Något annat",
        "en": "Something else",
        "ar": "شيء آخر",
    },
}

PROFESSIONS: Final[dict[str, dict[str, str]]] = {
    "social_services": {"sv": "Socialtjänst", "en": "Social services", "ar": "الخدمات الاجتماعية"},
    "school": {"sv": "Skola eller elevhälsa", "en": "School or pupil health", "ar": "المدرسة"},
    "police": {"sv": "Polis", "en": "Police", "ar": "الشرطة"},
    "health": {"sv": "Hälso- och sjukvård", "en": "Health care", "ar": "الرعاية الصحية"},
    "voluntary": {
        "sv": "Ideell organisation",
        "en": "Voluntary organisation",
        "ar": "منظمة تطوعية",
    },
    "other": {"sv": "Annan yrkesroll", "en": "Other profession", "ar": "مهنة أخرى"},
}


def label(table: dict[str, dict[str, str]], code: str, lang: str) -> str:
    """The label in the visitor's language, falling back to Swedish."""
    labels = table[code]
    return labels.get(lang) or labels[DEFAULT_LANG]
