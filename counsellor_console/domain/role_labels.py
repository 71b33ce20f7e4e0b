"""The staff role as a reader of the console and /admin sees it (Swedish, translated where
shown: counsellor_console/domain/staff_language.py).

The role's value (``counsellor``, ``supervisor``, ``admin``) is a wire and storage word; the
pages show its label. Pure: no I/O.
"""

from __future__ import annotations

from typing import Final

from counsellor_console.domain.staff_language import N_

ROLE_LABELS_SV: Final[dict[str, str]] = {
    # The words /admin's floor (admin_charts.js) and user list already use.
    "counsellor": N_("Samtalsstödjare"),
    "supervisor": N_("Handledare"),
    "admin": N_("Administratör"),
    "partner": N_("Samverkanspartner"),
}


def role_label(role: object) -> str:
    """The Swedish label of a role (a Role or its value); an unknown role shows as itself."""
    value = str(getattr(role, "value", role))
    return ROLE_LABELS_SV.get(value, value)
