"""The anonymous follow-up survey: questions and the check of an answer set.

No free-text question: a written answer is the one place a visitor might identify themselves.
"""

from __future__ import annotations

from typing import Any, Final

QUESTIONS: Final[list[dict[str, Any]]] = [
    {
        "key": "helped",
        "kind": "scale",
        "options": [1, 2, 3, 4, 5],
        "label": {
            "sv": "Hur mycket hjälpte samtalet dig? (1 = inte alls, 5 = mycket)",
            "en": "How much did the chat help you? (1 = not at all, 5 = a lot)",
            "ar": "إلى أي مدى ساعدتك المحادثة؟ (1 = لا على الإطلاق، 5 = كثيرًا)",
        },
    },
    {
        "key": "felt_safe",
        "kind": "choice",
        "options": ["yes", "partly", "no"],
        "label": {
            "sv": "Kändes det tryggt att chatta med oss?",
            "en": "Did it feel safe to chat with us?",
            "ar": "هل شعرت بالأمان أثناء المحادثة معنا؟",
        },
    },
    {
        "key": "know_next",
        "kind": "choice",
        "options": ["yes", "partly", "no"],
        "label": {
            "sv": "Vet du nu var du kan få mer hjälp?",
            "en": "Do you now know where to get more help?",
            "ar": "هل تعرف الآن أين يمكنك الحصول على مزيد من المساعدة؟",
        },
    },
    {
        "key": "recommend",
        "kind": "choice",
        "options": ["yes", "no", "dont_know"],
        "label": {
            "sv": "Skulle du tipsa en vän om oss?",
            "en": "Would you tell a friend about us?",
            "ar": "هل ستخبر صديقًا عنا؟",
        },
    },
]
QUESTION_KEYS: Final = frozenset(q["key"] for q in QUESTIONS)


def questions_for(lang: str) -> list[dict[str, Any]]:
    return [
        {
            "key": q["key"],
            "label": q["label"].get(lang, q["label"]["sv"]),
            "kind": q["kind"],
            "options": q["options"],
        }
        for q in QUESTIONS
    ]


def valid_answers(answers: dict[str, str | int]) -> dict[str, str] | None:
    """The answers as stored (strings), or None if any key or value is not the survey's."""
    by_key = {q["key"]: q for q in QUESTIONS}
    clean: dict[str, str] = {}
    for key, value in answers.items():
        question = by_key.get(key)
        if question is None or value not in question["options"]:
            return None
        clean[key] = str(value)
    return clean
