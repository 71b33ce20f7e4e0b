"""Canned replies: the shared phrases counsellors insert into a chat, per language.

Pure: what a reply is, how one is checked, the set seeded on first start, and the order the
console offers them in (the visitor's language first). ``canned_store.py`` keeps them.
A reply may hold ``{name}``: the console puts the counsellor's display name there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from chat.core_api import LANGUAGE_CODES
from counsellor_console.domain.staff_language import N_, SaidError, said

TITLE_MAX: Final = 80
TEXT_MAX: Final = 2000
#: More than this many replies are refused: a list nobody can scan in a chat is no help.
REPLIES_MAX: Final = 300


class CannedError(SaidError):
    """A reply that may not be stored; the message says why, for the form."""


@dataclass(frozen=True, slots=True)
class CannedReply:
    id: str
    lang: str
    title: str
    text: str
    #: Order of creation: the seeded set first, in the order written below.
    n: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "lang": self.lang, "title": self.title, "text": self.text}


def clean_reply(lang: str, title: str, text: str) -> tuple[str, str, str]:
    """Checked and trimmed (lang, title, text).

    Raises:
        CannedError: an unknown language, an empty or too long title or text.
    """
    lang = lang.strip()
    title = " ".join(title.split())
    text = text.strip().replace("\r\n", "\n")
    if lang not in LANGUAGE_CODES:
        raise CannedError(N_("Okänt språk."))
    if not title or len(title) > TITLE_MAX:
        raise CannedError(
            said("Rubriken får inte vara tom eller längre än {limit} tecken.", limit=TITLE_MAX)
        )
    if not text or len(text) > TEXT_MAX:
        raise CannedError(
            said("Texten får inte vara tom eller längre än {limit} tecken.", limit=TEXT_MAX)
        )
    return lang, title, text


def offered_order(replies: Iterable[CannedReply], lang: str | None) -> list[CannedReply]:
    """The visitor's language first, then the rest; each group by language, then creation."""
    rank = {code: i for i, code in enumerate(LANGUAGE_CODES)}
    return sorted(
        replies,
        key=lambda r: (r.lang != lang, rank.get(r.lang, len(rank)), r.n, r.id),
    )


#: Seeded once, on the first start (or the first read after it): a supervisor edits from there.
DEFAULT_REPLIES: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "sv",
        "Välkommen",
        "Hej och välkommen! Jag heter {name} och jobbar här. Vad vill du prata om?",
    ),
    ("sv", "Trygg just nu?", "Är du trygg just nu?"),
    ("sv", "Skriva ostört?", "Kan du skriva ostört just nu?"),
    ("sv", "Akut fara", "Om du är i akut fara, ring 112."),
    ("sv", "Inte ditt fel", "Tack för att du berättar. Det som händer är inte ditt fel."),
    (
        "sv",
        "Du bestämmer",
        "Du bestämmer själv vad du vill berätta. Du behöver inte säga ditt namn.",
    ),
    (
        "sv",
        "Lämna snabbt",
        "Om du behöver lämna snabbt kan du trycka på ”Lämna sidan snabbt” högst upp på sidan.",
    ),
    (
        "sv",
        "Avsluta snart",
        "Jag behöver avsluta snart. Vill du ha en återkomstkod så att du kan höra av dig igen?",
    ),
    (
        "en",
        "Welcome",
        "Hi and welcome! My name is {name} and I work here. What would you like to talk about?",
    ),
    ("en", "Safe right now?", "Are you safe right now?"),
    ("en", "Can you write freely?", "Can you write without anyone seeing right now?"),
    ("en", "Acute danger", "If you are in immediate danger, call 112."),
    ("en", "Not your fault", "Thank you for telling me. What is happening is not your fault."),
    (
        "en",
        "You decide",
        "You decide what you want to tell me. You do not have to give your name.",
    ),
    (
        "en",
        "Leave quickly",
        "If you need to leave quickly, press “Leave this page” at the top of the page.",
    ),
    (
        "en",
        "Ending soon",
        "I need to end soon. Would you like a return code so that you can get in touch again?",
    ),
    ("ar", "مرحباً", "مرحباً وأهلاً بك! اسمي {name} وأعمل هنا. عن ماذا تريد أن تتحدث؟"),
    ("ar", "هل أنت بأمان؟", "هل أنت بأمان الآن؟"),
    ("ar", "هل تستطيع الكتابة؟", "هل تستطيع الكتابة الآن دون أن يراك أحد؟"),
    ("ar", "خطر فوري", "إذا كنت في خطر فوري، اتصل بالرقم 112."),
    ("ar", "ليس ذنبك", "شكراً لأنك أخبرتني. ما يحدث ليس ذنبك."),
    ("ar", "أنت تقرر", "أنت تقرر ما تريد أن تخبرني به. لا داعي لأن تذكر اسمك."),
    (
        "ar",
        "المغادرة بسرعة",
        "إذا احتجت إلى المغادرة بسرعة، اضغط على «غادر الصفحة بسرعة» في أعلى الصفحة.",
    ),
    (
        "ar",
        "سأنهي قريباً",
        "يجب أن أنهي المحادثة قريباً. هل تريد رمز عودة لتتمكن من التواصل معنا مرة أخرى؟",
    ),
)
