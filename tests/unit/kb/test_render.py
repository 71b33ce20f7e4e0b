"""Markdown rendering is sanitised: nothing an article says can run in a visitor's browser."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.bank import KnowledgeBank
from kb.render import plain_text, render_markdown

DANGEROUS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="https://x" onclick="alert(1)">x</a>',
    "<style>body{display:none}</style>",
    "<iframe src='https://evil.example'></iframe>",
    '<div style="position:fixed">x</div>',
]


@pytest.mark.parametrize("markdown", DANGEROUS)
def test_dangerous_markdown_is_neutralised(markdown: str) -> None:
    html = render_markdown(markdown)
    assert re.search(r"<(script|style|iframe|img|div)\b", html) is None
    assert re.search(r"<[a-z][^>]*\s(on[a-z]+|style)=", html) is None
    assert 'href="javascript:' not in html
    assert 'href="data:' not in html


def test_links_keep_safe_targets_and_get_rel() -> None:
    html = render_markdown("[a](https://www.bris.se/) [b](/kb/sv/hjalp-nu) [c](tel:112)")
    assert 'href="https://www.bris.se/"' in html
    assert 'href="/kb/sv/hjalp-nu"' in html
    assert 'href="tel:112"' in html
    assert 'rel="noopener noreferrer"' in html


def test_h1_in_body_becomes_h2() -> None:
    assert render_markdown("# Title") == "<h2>Title</h2>\n"


@given(st.text(max_size=500))
def test_no_script_tag_from_any_text(text: str) -> None:
    html = render_markdown(text + "<script>x</script>")
    assert "<script" not in html.lower()


def test_plain_text_drops_markup_and_urls() -> None:
    text = plain_text("Hej **du**, läs [BRIS](https://www.bris.se/).\n\n- ett\n- två")
    assert text == "Hej du, läs BRIS.\nett\ntvå"


def test_shipped_articles_render_without_script(bank: KnowledgeBank) -> None:
    for article in bank.articles(None, include_staff=True):
        html = bank.html(article)
        assert "<script" not in html
        assert "<h1" not in html
