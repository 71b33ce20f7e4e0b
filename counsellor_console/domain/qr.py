"""The TOTP enrolment QR code, drawn by the service itself as inline SVG (issue 11).

No third party sees the secret: the code is made here with segno and embedded in the page, so
no image is fetched (a chart or QR service would receive the ``otpauth://`` URI).
"""

from __future__ import annotations

from typing import Final

import segno
from markupsafe import Markup

QR_SCALE: Final = 5
QR_BORDER_MODULES: Final = 4  # the quiet zone ISO/IEC 18004 asks for


def qr_svg(uri: str) -> Markup:
    """An ``<svg>`` element of ``uri`` as a QR code, safe to put in a template as it is."""
    code = segno.make(uri, error="m")
    svg = code.svg_inline(
        scale=QR_SCALE, border=QR_BORDER_MODULES, dark="#000", light="#fff", svgclass="qr"
    )
    # segno's output is its own markup with the URI encoded as modules, never as text.
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR-kod" ', 1))  # noqa: S704
