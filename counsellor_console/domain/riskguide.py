"""A structured risk guide for honour-related cases, as data, and the advice it gives.

Pure: no I/O. The console shows the questions in each chat pane; the counsellor answers
yes / no / don't know, and :func:`advise` lists the escalations those answers point to, most
urgent first. ``GET /api/riskguide`` serves this module's data and
``POST /api/riskguide/answers`` (counsellor_console.web.riskguide_routes) counts the answers for the
statistics, never tied to a chat or a person.

The wording is a support for the counsellor's judgement, not a replacement for it, and the
resource centre reviews it before it is relied on: :data:`REVIEW` says so, and the console shows
it. Change the texts here, nowhere else: they are Swedish, marked with ``N_`` for the staff
catalogue, and served in each colleague's language; the ``risk`` console frame, which reaches
every colleague in the chat, carries the Swedish, and the console shows its own language's
words by the escalation's key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypedDict

from counsellor_console.domain.staff_language import N_

__all__ = [
    "ESCALATIONS",
    "MAX_ANSWERS",
    "QUESTIONS",
    "REVIEW",
    "Answer",
    "Escalation",
    "Level",
    "Question",
    "RiskAnswersError",
    "advise",
    "guide_as_json",
    "parse_answers",
    "pointing_questions",
]


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    DONT_KNOW = "dont_know"


class Level(StrEnum):
    """How soon to act; the order of the members is the order of urgency."""

    ACUTE = "acute"  # now, while the chat is open
    URGENT = "urgent"  # today
    PLAN = "plan"  # together with the young person, in this or the next conversation
    ADVICE = "advice"  # for the counsellor or the professional: ask someone who knows


ANSWER_LABELS: Final = {
    Answer.YES: N_("Ja"),
    Answer.NO: N_("Nej"),
    Answer.DONT_KNOW: N_("Vet inte"),
}
LEVEL_LABELS: Final = {
    Level.ACUTE: N_("Akut: nu"),
    Level.URGENT: N_("Skyndsamt: i dag"),
    Level.PLAN: N_("Planera tillsammans"),
    Level.ADVICE: N_("Rådgivning"),
}


@dataclass(frozen=True, slots=True)
class Escalation:
    """Where an answer points: who to contact, and what to do."""

    key: str
    level: Level
    title: str
    action: str
    contact: str


@dataclass(frozen=True, slots=True)
class Question:
    """One question; ``points_to`` maps an answer to the keys of the escalations it calls for."""

    key: str
    text: str
    hint: str
    points_to: Mapping[Answer, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Review:
    status: str
    by: str
    note: str


#: The content has not yet been approved: the centre reviews it (and changes ``status``).
REVIEW: Final = Review(
    status="pending",
    by="resurscentrumet",
    note=N_(
        "Utkast: frågorna och hänvisningarna granskas av resurscentrumet innan de används "
        "skarpt. Vägledningen är ett stöd för din bedömning, inte en ersättning för den. "
        "Diskutera alltid med kollega eller arbetsledare."
    ),
)

CALL_112: Final = "call_112"
SOCIAL_SERVICES: Final = "social_services"
PROTECTED_HOUSING: Final = "protected_housing"
POLICE: Final = "police"
TRAVEL_BAN: Final = "travel_ban"
COMPETENCE_TEAM: Final = "competence_team"

#: In order of urgency: :func:`advise` keeps this order.
ESCALATIONS: Final = (
    Escalation(
        key=CALL_112,
        level=Level.ACUTE,
        title=N_("Ring 112"),
        action=N_(
            "Akut fara för liv eller hälsa. Be personen ringa 112 nu om hen kan, eller ring "
            "själv om hen vill och du vet var hen är. Stanna kvar i chatten."
        ),
        contact="112",
    ),
    Escalation(
        key=SOCIAL_SERVICES,
        level=Level.URGENT,
        title=N_("Socialtjänsten eller socialjouren"),
        action=N_(
            "Kontakta socialtjänsten i personens kommun, och socialjouren när kontoren är "
            "stängda. Gäller det ett barn (under 18) ska personal göra en orosanmälan "
            "(anmälningsplikten). Berätta för personen vad som händer sedan."
        ),
        contact=N_("Socialtjänsten i kommunen; kvällar, nätter och helger socialjouren"),
    ),
    Escalation(
        key=PROTECTED_HOUSING,
        level=Level.URGENT,
        title=N_("Skyddat boende via socialtjänsten"),
        action=N_(
            "Skyddat boende ordnas genom socialtjänsten (socialjouren när kontoren är "
            "stängda), inte direkt av boendet. Socialtjänsten bedömer behovet och placerar."
        ),
        contact=N_("Socialtjänsten eller socialjouren i kommunen där personen befinner sig"),
    ),
    Escalation(
        key=TRAVEL_BAN,
        level=Level.URGENT,
        title=N_("Utreseförbud för barn"),
        action=N_(
            "Är personen under 18 och finns risk att hen förs utomlands för att giftas bort "
            "eller könsstympas, kan socialtjänsten ansöka om utreseförbud. Kontakta "
            "socialtjänsten innan resan. Är hen redan utomlands: Sveriges ambassad eller UD."
        ),
        contact=N_("Socialtjänsten i kommunen; utomlands UD:s konsulära stöd"),
    ),
    Escalation(
        key=POLICE,
        level=Level.PLAN,
        title=N_("Polisen: anmälan av brott"),
        action=N_(
            "Hot, våld, äktenskapstvång och barnäktenskapsbrott är brott. Personen kan "
            "polisanmäla, och vi kan hjälpa till att förbereda anmälan. Vid akut fara: 112."
        ),
        contact="114 14",
    ),
    Escalation(
        key=COMPETENCE_TEAM,
        level=Level.ADVICE,
        title=N_("Nationella kompetensteamet"),
        action=N_(
            "Rådgivning för yrkesverksamma i ärenden om hedersrelaterat våld och förtryck, "
            "tvångsäktenskap och barnäktenskap. Rådgör gärna avidentifierat."
        ),
        contact=N_("Länsstyrelsen Östergötland, hedersfortryck.se"),
    ),
)

_ESCALATION_ORDER: Final = {e.key: i for i, e in enumerate(ESCALATIONS)}
_ESCALATIONS_BY_KEY: Final = {e.key: e for e in ESCALATIONS}

QUESTIONS: Final = (
    Question(
        key="threat_to_life",
        text=N_("Finns hot mot personens liv, eller är hen i fara just nu?"),
        hint=N_("Fråga rakt: ”Är du trygg just nu?”"),
        points_to={
            Answer.YES: (CALL_112, SOCIAL_SERVICES, POLICE),
            Answer.DONT_KNOW: (SOCIAL_SERVICES,),
        },
    ),
    Question(
        key="marriage",
        text=N_("Finns planer på att gifta bort eller förlova personen mot hens vilja?"),
        hint=N_("Även religiösa eller kulturella vigslar utan registrering räknas."),
        points_to={
            Answer.YES: (SOCIAL_SERVICES, POLICE, COMPETENCE_TEAM),
            Answer.DONT_KNOW: (COMPETENCE_TEAM,),
        },
    ),
    Question(
        key="abroad",
        text=N_("Finns en planerad resa utomlands som hen är rädd för, eller har passet tagits?"),
        hint=N_("Fråga om resmål, datum och vem som har passet."),
        points_to={
            Answer.YES: (SOCIAL_SERVICES, TRAVEL_BAN, POLICE, COMPETENCE_TEAM),
            Answer.DONT_KNOW: (COMPETENCE_TEAM,),
        },
    ),
    Question(
        key="control",
        text=N_("Kontrolleras eller isoleras hen (telefon, vänner, skola, kläder, att gå ut)?"),
        hint=N_("Kontroll över vardagen är ofta det första tecknet."),
        points_to={
            Answer.YES: (SOCIAL_SERVICES, COMPETENCE_TEAM),
            Answer.DONT_KNOW: (COMPETENCE_TEAM,),
        },
    ),
    Question(
        key="several_relatives",
        text=N_("Kommer hot eller våld från flera i familjen eller släkten?"),
        hint=N_("Ett kollektiv bakom hoten ökar risken och påverkar vem som kan skydda."),
        points_to={
            Answer.YES: (SOCIAL_SERVICES, POLICE, COMPETENCE_TEAM),
            Answer.DONT_KNOW: (COMPETENCE_TEAM,),
        },
    ),
    Question(
        key="protection",
        text=N_("Behöver hen skydd, eller kan hen inte bo kvar hemma?"),
        hint=N_("Skyddat boende ordnas via socialtjänsten."),
        points_to={
            Answer.YES: (PROTECTED_HOUSING, SOCIAL_SERVICES),
            Answer.DONT_KNOW: (SOCIAL_SERVICES,),
        },
    ),
    Question(
        key="minor",
        text=N_("Är personen under 18 år?"),
        hint=N_(
            "Anmälningsplikten gäller när personal får veta eller misstänker att ett barn far illa."
        ),
        points_to={
            Answer.YES: (SOCIAL_SERVICES,),
            Answer.DONT_KNOW: (SOCIAL_SERVICES,),
        },
    ),
)

_QUESTIONS_BY_KEY: Final = {q.key: q for q in QUESTIONS}
#: At most one answer per question.
MAX_ANSWERS: Final = len(QUESTIONS)


class RiskAnswersError(ValueError):
    """Answers the guide does not accept; ``field`` names the offending one."""

    def __init__(self, field: str) -> None:
        super().__init__(f"bad_field: {field}")
        self.field = field


def parse_answers(value: object) -> dict[str, Answer]:
    """The answers of a request body's ``answers`` object, validated.

    Raises:
        RiskAnswersError: not an object, an unknown question, or an answer outside yes/no/
            dont_know.
    """
    if not isinstance(value, dict) or len(value) > MAX_ANSWERS:
        raise RiskAnswersError("answers")
    answers: dict[str, Answer] = {}
    for key, answer in value.items():
        if not isinstance(key, str) or key not in _QUESTIONS_BY_KEY:
            raise RiskAnswersError("answers")
        try:
            answers[key] = Answer(answer)
        except ValueError:
            raise RiskAnswersError(key) from None
    return answers


def advise(answers: Mapping[str, Answer]) -> list[Escalation]:
    """The escalations the answers point to, each once, most urgent first.

    Unknown question keys are ignored (callers validate with :func:`parse_answers`).
    """
    keys: set[str] = set()
    for key, answer in answers.items():
        question = _QUESTIONS_BY_KEY.get(key)
        if question is not None:
            keys.update(question.points_to.get(answer, ()))
    return [_ESCALATIONS_BY_KEY[k] for k in sorted(keys, key=_ESCALATION_ORDER.__getitem__)]


def pointing_questions(answers: Mapping[str, Answer], escalation: str) -> list[str]:
    """The keys of the answered questions that point to ``escalation``, in guide order."""
    return [
        q.key
        for q in QUESTIONS
        if q.key in answers and escalation in q.points_to.get(answers[q.key], ())
    ]


class EscalationJson(TypedDict):
    key: str
    level: str
    level_label: str
    title: str
    action: str
    contact: str


#: Turns a Swedish source text into the reader's language (staff_language.translator).
Translate = Callable[[str], str]


def _as_written(source: str) -> str:
    return source


def escalation_as_json(escalation: Escalation, gettext: Translate = _as_written) -> EscalationJson:
    return {
        "key": escalation.key,
        "level": escalation.level.value,
        "level_label": gettext(LEVEL_LABELS[escalation.level]),
        "title": gettext(escalation.title),
        "action": gettext(escalation.action),
        "contact": gettext(escalation.contact),
    }


class ReviewJson(TypedDict):
    status: str
    by: str
    note: str


class AnswerJson(TypedDict):
    value: str
    label: str


class QuestionJson(TypedDict):
    key: str
    text: str
    hint: str
    points_to: dict[str, list[str]]


class GuideJson(TypedDict):
    review: ReviewJson
    answers: list[AnswerJson]
    questions: list[QuestionJson]
    escalations: list[EscalationJson]


def guide_as_json(gettext: Translate = _as_written) -> GuideJson:
    """Everything the console needs to show the guide and work out its advice as you answer,
    in the colleague's language (the Swedish is the source, the reviewed text)."""
    return {
        "review": {"status": REVIEW.status, "by": REVIEW.by, "note": gettext(REVIEW.note)},
        "answers": [{"value": a.value, "label": gettext(ANSWER_LABELS[a])} for a in Answer],
        "questions": [
            {
                "key": q.key,
                "text": gettext(q.text),
                "hint": gettext(q.hint),
                "points_to": {a.value: list(keys) for a, keys in q.points_to.items()},
            }
            for q in QUESTIONS
        ],
        "escalations": [escalation_as_json(e, gettext) for e in ESCALATIONS],
    }
