"""Markdown to sanitised HTML, and to plain text for the search index.

Raw HTML in Markdown is switched off in the parser *and* the result goes through nh3 with a
short allow-list: an article is reviewed content, but a proposal typed into the browser is
not, and the visitor-side CSP must never need loosening for an article.
"""

from __future__ import annotations

from typing import Final

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS: Final = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a",
        "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Final = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES: Final = frozenset({"https", "http", "mailto", "tel"})

_MD: Final = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(markdown: str) -> str:
    """Sanitised HTML for an article body; headings start at h2 below the page's h1."""
    raw = _MD.render(markdown).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned: str = nh3.clean(
        raw,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned


def plain_text(markdown: str) -> str:
    """The words a reader sees, one block per line: what search indexes and quotes."""
    blocks: list[str] = []
    for token in _MD.parse(markdown):
        if token.type != "inline" or not token.children:
            continue
        parts = []
        for child in token.children:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        blocks.append("".join(parts).strip())
    return "\n".join(block for block in blocks if block)
