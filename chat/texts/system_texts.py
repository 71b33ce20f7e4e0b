"""What the service itself writes into a young person's chat, in their language.

A hand-back to the queue, a warm transfer and a referral card are system messages: stored in
the transcript (a resumed page replays them) and shown as written, so they must be in the
visitor's language, not the centre's. The English below is the source; each language's words
are in its visitor catalogue (chat/texts/catalogue.py), where ``make i18n-extract`` finds these
entries through :func:`text`. A language without a translation gets English
(chat/domain/languages.py's
FALLBACK_LANG), never Swedish and never an empty line.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from chat.texts.catalogue import visitor_catalogues


class SourceText(NamedTuple):
    """A catalogue entry as the code names it: its key (the context) and its English."""

    key: str
    english: str


def text(key: str, english: str) -> SourceText:
    """Mark an English source text for the catalogue (Babel's keyword ``text:1c,2``)."""
    return SourceText(key, english)


REQUEUE: Final = text(
    "system.requeue",
    "The chat is being moved to the next available counsellor. "
    "Please wait, you are first in the queue.",
)
# ``{name}``: the counsellor who takes over.
HANDOVER: Final = text("system.handover", "{name} is taking over the conversation.")
# A referral card as a transcript line: the contact kinds' labels.
REFERRAL_LABELS: Final = {
    "tip": text("referral.tip", "Tip"),
    "phone": text("referral.phone", "Phone"),
    "web": text("referral.web", "Web"),
    "email": text("referral.email", "Email"),
    "address": text("referral.address", "Address"),
    "hours": text("referral.hours", "Open"),
}


def in_language(source: SourceText, lang: str) -> str:
    return visitor_catalogues().text(lang, source.key, source.english)


def requeue_text(lang: str) -> str:
    return in_language(REQUEUE, lang)


def handover_text(lang: str, name: str) -> str:
    return in_language(HANDOVER, lang).format(name=name)


def referral_label(lang: str, key: str) -> str:
    """A referral card's label in ``lang`` (English when missing; the key itself if unknown)."""
    source = REFERRAL_LABELS.get(key)
    return key if source is None else in_language(source, lang)
