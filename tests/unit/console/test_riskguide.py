"""The risk guide's data and its pure advice."""

from __future__ import annotations

import pytest

from counsellor_console.domain.riskguide import (
    ESCALATIONS,
    MAX_ANSWERS,
    QUESTIONS,
    REVIEW,
    Answer,
    GuideJson,
    Level,
    RiskAnswersError,
    advise,
    guide_as_json,
    parse_answers,
    pointing_questions,
)
from counsellor_console.domain.staff_language import translator

ALL_NO = {q.key: Answer.NO for q in QUESTIONS}


def keys(answers: dict[str, Answer]) -> list[str]:
    return [e.key for e in advise(answers)]


class TestData:
    def test_every_pointer_names_a_known_escalation(self) -> None:
        known = {e.key for e in ESCALATIONS}
        for q in QUESTIONS:
            for targets in q.points_to.values():
                assert set(targets) <= known, q.key

    def test_keys_are_unique_and_fit_the_stats_categories(self) -> None:
        question_keys = [q.key for q in QUESTIONS]
        assert len(set(question_keys)) == len(question_keys)
        assert all(k.replace("_", "").isalnum() and k.islower() for k in question_keys)
        assert len({e.key for e in ESCALATIONS}) == len(ESCALATIONS)

    def test_the_guide_covers_the_issues_questions(self) -> None:
        assert {
            "marriage",
            "abroad",
            "control",
            "several_relatives",
            "threat_to_life",
            "protection",
            "minor",
        } <= {q.key for q in QUESTIONS}

    def test_escalations_are_listed_most_urgent_first(self) -> None:
        order = list(Level)
        ranks = [order.index(e.level) for e in ESCALATIONS]
        assert ranks == sorted(ranks)

    def test_content_is_marked_for_the_centres_review(self) -> None:
        assert REVIEW.status == "pending"
        assert "resurscentrumet" in REVIEW.note
        assert guide_as_json()["review"] == {
            "status": "pending",
            "by": "resurscentrumet",
            "note": REVIEW.note,
        }

    def test_json_has_every_question_with_its_pointers(self) -> None:
        guide = guide_as_json()
        questions = guide["questions"]
        assert [q["key"] for q in questions] == [q.key for q in QUESTIONS]
        assert questions[0]["points_to"]["yes"][0] == "call_112"
        assert [a["value"] for a in guide["answers"]] == ["yes", "no", "dont_know"]


class TestAdvise:
    def test_no_answers_no_advice(self) -> None:
        assert advise({}) == []

    def test_all_no_points_nowhere(self) -> None:
        assert advise(ALL_NO) == []

    def test_threat_to_life_means_112_first(self) -> None:
        advice = advise({"threat_to_life": Answer.YES})
        assert advice[0].key == "call_112"
        assert advice[0].level is Level.ACUTE
        assert "police" in [e.key for e in advice]

    def test_under_18_points_to_social_services(self) -> None:
        assert keys({"minor": Answer.YES}) == ["social_services"]
        assert keys({"minor": Answer.DONT_KNOW}) == ["social_services"]
        assert keys({"minor": Answer.NO}) == []

    def test_protection_points_to_protected_housing_via_social_services(self) -> None:
        assert keys({"protection": Answer.YES}) == ["social_services", "protected_housing"]

    def test_marriage_points_to_police_for_the_crime(self) -> None:
        assert "police" in keys({"marriage": Answer.YES})

    def test_abroad_points_to_a_travel_ban(self) -> None:
        assert "travel_ban" in keys({"abroad": Answer.YES})

    def test_dont_know_asks_for_professional_advice(self) -> None:
        assert keys({"control": Answer.DONT_KNOW}) == ["competence_team"]

    def test_each_escalation_once_in_urgency_order(self) -> None:
        answers = {q.key: Answer.YES for q in QUESTIONS}
        advice = keys(answers)
        assert len(advice) == len(set(advice))
        assert advice == [e.key for e in ESCALATIONS]

    def test_unknown_keys_are_ignored(self) -> None:
        assert advise({"nonsense": Answer.YES}) == []

    def test_pointing_questions_say_why(self) -> None:
        answers = {"marriage": Answer.YES, "several_relatives": Answer.YES, "control": Answer.NO}
        assert pointing_questions(answers, "police") == ["marriage", "several_relatives"]
        assert pointing_questions(answers, "call_112") == []


class TestParseAnswers:
    def test_accepts_known_keys_and_values(self) -> None:
        assert parse_answers({"marriage": "yes", "abroad": "dont_know"}) == {
            "marriage": Answer.YES,
            "abroad": Answer.DONT_KNOW,
        }

    def test_accepts_an_empty_set(self) -> None:
        assert parse_answers({}) == {}

    @pytest.mark.parametrize(
        ("value", "field"),
        [
            (["marriage"], "answers"),
            ("yes", "answers"),
            ({"chat": "abc"}, "answers"),
            ({"marriage": "maybe"}, "marriage"),
            ({"marriage": 1}, "marriage"),
            ({"marriage": None}, "marriage"),
        ],
    )
    def test_refuses_anything_else(self, value: object, field: str) -> None:
        with pytest.raises(RiskAnswersError) as caught:
            parse_answers(value)
        assert caught.value.field == field

    def test_bounded_by_the_number_of_questions(self) -> None:
        too_many = {f"q{i}": "yes" for i in range(MAX_ANSWERS + 1)}
        with pytest.raises(RiskAnswersError):
            parse_answers(too_many)


class TestLanguages:
    def test_every_text_of_the_guide_has_an_english_translation(self) -> None:
        def texts(guide: GuideJson) -> list[str]:
            found = [guide["review"]["note"]] + [a["label"] for a in guide["answers"]]
            for q in guide["questions"]:
                found += [q["text"], q["hint"]]
            for e in guide["escalations"]:
                found += [e["title"], e["action"], e["level_label"]]
            return found

        pairs = zip(texts(guide_as_json(translator("en"))), texts(guide_as_json()), strict=True)
        assert [source for shown, source in pairs if shown == source] == []

    def test_the_swedish_is_the_source(self) -> None:
        assert guide_as_json(translator("sv")) == guide_as_json()
