"""Scripts carried inside a page, each allowed by its own CSP hash (issue 8).

A script loaded from a URL leaves an entry in Chromium's V8 code cache (``Code Cache/js``)
keyed by that URL, whatever the ``Cache-Control``; the same script inline leaves none. So the
visitor's pages carry their scripts inline. ``'unsafe-inline'`` would allow any injected
script too; a ``'sha256-...'`` source allows exactly the text we wrote, computed once when the
service starts.

Nothing here knows which page carries which script: the composition root reads the files,
builds :class:`InlineScript` values and hands their hashes to
:class:`security.headers.SecurityHeadersMiddleware`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = ["InlineScript", "InlineScriptError", "csp_hash", "hashes_of", "json_data_block"]

# Text that would end the <script> element early or switch the HTML parser into its
# "script data escaped" states; a file holding it cannot be carried inline as it is.
_UNSAFE_IN_SCRIPT: Final = re.compile(r"</script|<!--|<script", re.IGNORECASE)


class InlineScriptError(ValueError):
    """A script's text cannot be put inside a ``<script>`` element unchanged."""


def csp_hash(source: str) -> str:
    """The CSP source expression that allows exactly this inline script.

    Args:
        source: The text between ``<script>`` and ``</script>``, byte for byte.

    Returns:
        ``'sha256-BASE64'``, quotes included, as CSP Level 2 defines it (over UTF-8).
    """
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@dataclass(frozen=True, slots=True)
class InlineScript:
    """One script element of a page: its name (for humans), its text and its hash.

    Build it with :meth:`of`, which refuses text that would break out of the element.
    """

    name: str
    source: str
    hash: str

    @classmethod
    def of(cls, name: str, source: str) -> InlineScript:
        """An inline script for ``source``.

        Raises:
            InlineScriptError: ``source`` holds ``</script``, ``<script`` or ``<!--``.
        """
        found = _UNSAFE_IN_SCRIPT.search(source)
        if found is not None:
            raise InlineScriptError(f"{name}: cannot be inlined, it holds {found.group(0)!r}")
        return cls(name=name, source=source, hash=csp_hash(source))

    @property
    def tag(self) -> str:
        """The element, exactly as hashed: no whitespace is added inside it."""
        return f"<script>{self.source}</script>"


def hashes_of(scripts: Iterable[InlineScript]) -> tuple[str, ...]:
    """The distinct hashes of ``scripts``, in first-seen order (a stable header)."""
    return tuple(dict.fromkeys(script.hash for script in scripts))


def json_data_block(element_id: str, data: object) -> str:
    """A ``<script type="application/json">`` element: data for a page's scripts.

    A data block is never run, so it needs no CSP hash. ``<``, ``>`` and ``&`` are written as
    JSON escapes, so no value can end the element or open a comment, whatever it holds.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{element_id}">{text}</script>'
