"""What the service itself writes into a young person's chat, in their language.

A hand-back to the queue, a warm transfer and a referral card are system messages: stored in
the transcript (a resumed page replays them) and shown as written, so they must be in the
visitor's language, not the centre's. sv, en and ar are the centre's; fa, so, ckb and ti are
drafts marked for review by a native speaker, like the page's strings (chat/content/README.md).
Any language without a text gets English (chat/languages.py's FALLBACK_LANG), never Swedish
and never an empty line. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from chat.languages import FALLBACK_LANG

# The chat goes back to the front of the queue (transfer to "queue").
REQUEUE_TEXT: Final[Mapping[str, str]] = {
    "sv": "Chatten flyttas till nästa lediga samtalsstödjare. Vänta kvar, du är först i kön.",
    "en": "The chat is being moved to the next available counsellor. "
    "Please wait, you are first in the queue.",
    "ar": "يتم نقل المحادثة إلى المستشار التالي المتاح. يرجى الانتظار، أنت الأول في الدور.",
    "fa": "گفت‌وگو به مشاور آزاد بعدی منتقل می‌شود. لطفاً منتظر بمانید، شما نفر اول صف هستید.",
    "so": "Wada hadalka waxaa loo wareejinayaa la-taliyaha xiga ee bannaan. "
    "Fadlan sug, adiga ayaa ugu horreeya safka.",
    "ckb": "گفتوگۆکە دەگوازرێتەوە بۆ ڕاوێژکاری بەردەستی داهاتوو. "
    "تکایە چاوەڕێ بکە، تۆ یەکەمی لە ڕیزەکەدا.",
    "ti": "እዚ ዕላል ናብ ዝቕጽል ነጻ ኣማኻሪ ይሰጋገር ኣሎ። በጃኻ ተጸበ፣ ኣብ መስርዕ ቀዳማይ ኢኻ።",
}

# A warm transfer (``{name}``: the counsellor who takes over).
HANDOVER_TEXT: Final[Mapping[str, str]] = {
    "sv": "{name} tar över samtalet.",
    "en": "{name} is taking over the conversation.",
    "ar": "{name} يتولى المحادثة الآن.",
    "fa": "{name} اکنون گفت‌وگو را ادامه می‌دهد.",
    "so": "{name} ayaa hadda la wareegaya wada hadalka.",
    "ckb": "{name} ئێستا گفتوگۆکە وەردەگرێت.",
    "ti": "{name} ነዚ ዕላል ሕጂ ይቕጽሎ ኣሎ።",
}

# A referral card as a transcript line: its heading and the contact kinds' labels.
REFERRAL_LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "sv": {
        "tip": "Tips",
        "phone": "Telefon",
        "web": "Webb",
        "email": "E-post",
        "address": "Adress",
        "hours": "Öppet",
    },
    "en": {
        "tip": "Tip",
        "phone": "Phone",
        "web": "Web",
        "email": "Email",
        "address": "Address",
        "hours": "Open",
    },
    "ar": {
        "tip": "نصيحة",
        "phone": "الهاتف",
        "web": "الموقع",
        "email": "البريد الإلكتروني",
        "address": "العنوان",
        "hours": "أوقات العمل",
    },
    "fa": {
        "tip": "پیشنهاد",
        "phone": "تلفن",
        "web": "وب‌سایت",
        "email": "ایمیل",
        "address": "نشانی",
        "hours": "ساعات کاری",
    },
    "so": {
        "tip": "Talo",
        "phone": "Taleefan",
        "web": "Website",
        "email": "Iimayl",
        "address": "Cinwaan",
        "hours": "Saacadaha furan",
    },
    "ckb": {
        "tip": "ئامۆژگاری",
        "phone": "تەلەفۆن",
        "web": "ماڵپەڕ",
        "email": "ئیمەیڵ",
        "address": "ناونیشان",
        "hours": "کاتی کارکردن",
    },
    "ti": {
        "tip": "ምኽሪ",
        "phone": "ተሌፎን",
        "web": "መርበብ",
        "email": "ኢመይል",
        "address": "ኣድራሻ",
        "hours": "ሰዓታት ስራሕ",
    },
}


def _in(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts[FALLBACK_LANG]


def requeue_text(lang: str) -> str:
    return _in(REQUEUE_TEXT, lang)


def handover_text(lang: str, name: str) -> str:
    return _in(HANDOVER_TEXT, lang).format(name=name)


def referral_label(lang: str, key: str) -> str:
    """A referral card's label in ``lang`` (English when missing; the key itself if unknown)."""
    labels = REFERRAL_LABELS.get(lang) or REFERRAL_LABELS[FALLBACK_LANG]
    return labels.get(key) or REFERRAL_LABELS[FALLBACK_LANG].get(key, key)
