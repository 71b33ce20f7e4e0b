"""Front matter parsing: a bad article fails loudly at load, naming the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chat.domain.topics import TOPICS
from kb.article import TOPIC_CODES, ArticleError, Audience, parse_article
from kb.bank import KnowledgeBank

GOOD = """---
slug: test-article
lang: sv
title: Rubrik
summary: Kort.
audience: youth
topics: [fgm]
translations: {en: test-article}
reviewed: 2026-11-22
---
Brödtext.
"""


def test_good_article_parses() -> None:
    article = parse_article(GOOD)
    assert article.key == "sv/test-article"
    assert article.audience is Audience.YOUTH
    assert article.translations == (("en", "test-article"),)
    assert article.reviewed == dt.date(2026, 11, 22)
    assert article.direction == "ltr"
    assert article.body == "Brödtext.\n"


def test_topic_codes_match_the_chat() -> None:
    assert set(TOPIC_CODES) == set(TOPICS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("slug: test-article", "slug: Bad Slug"), "slug"),
        (("lang: sv", "lang: de"), "lang"),
        (("audience: youth", "audience: everyone"), "audience"),
        (("topics: [fgm]", "topics: [fgm, weather]"), "topics"),
        (("reviewed: 2026-11-22", "reviewed: soon"), "reviewed"),
        (("title: Rubrik", "title: ''"), "title"),
        (("translations: {en: test-article}", "translations: {sv: x}"), "translations"),
        (("summary: Kort.", "summary: Kort.\nsecret: 1"), "unknown"),
        (("summary: Kort.\n", ""), "missing"),
    ],
)
def test_bad_field_is_named(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ArticleError, match=message):
        parse_article(GOOD.replace(*change))


def test_missing_front_matter() -> None:
    with pytest.raises(ArticleError, match="front matter"):
        parse_article("# Just markdown")


def test_yaml_that_is_not_a_mapping() -> None:
    with pytest.raises(ArticleError, match="mapping"):
        parse_article("---\n- a\n---\nx")


def test_oversized_article() -> None:
    with pytest.raises(ArticleError, match="at most"):
        parse_article(GOOD + "x" * 200_000)


def test_broken_translation_link_fails_the_load(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    with pytest.raises(ArticleError, match="translation en/test-article does not exist"):
        KnowledgeBank.load(tmp_path)


def test_duplicate_articles_fail_the_load(tmp_path: Path) -> None:
    article = GOOD.replace("translations: {en: test-article}\n", "")
    (tmp_path / "a.md").write_text(article, encoding="utf-8")
    (tmp_path / "b.md").write_text(article, encoding="utf-8")
    with pytest.raises(ArticleError, match="same language and slug"):
        KnowledgeBank.load(tmp_path)


def test_load_error_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.md").write_text("nothing", encoding="utf-8")
    with pytest.raises(ArticleError, match=r"broken\.md"):
        KnowledgeBank.load(tmp_path)
