"""The console and /admin show the staff role in Swedish, not its wire value."""

from __future__ import annotations

from counsellor_console.domain.role_labels import ROLE_LABELS_SV, role_label
from counsellor_console.web.staff_pages import TEMPLATES
from security.roles import Role


def test_every_role_has_a_swedish_label() -> None:
    assert set(ROLE_LABELS_SV) == {r.value for r in Role}
    assert role_label(Role.COUNSELLOR) == "Samtalsstödjare"
    assert role_label("supervisor") == "Handledare"
    assert role_label(Role.ADMIN) == "Administratör"
    assert role_label(Role.PARTNER) == "Samverkanspartner"


def test_unknown_role_shows_as_itself() -> None:
    assert role_label("gäst") == "gäst"


def test_templates_render_the_label() -> None:
    rendered = TEMPLATES.env.from_string(
        '<span class="c-role">{{ role|role_label|e }}</span>'
    ).render(role=Role.COUNSELLOR)
    assert rendered == '<span class="c-role">Samtalsstödjare</span>'
    assert "counsellor" not in rendered
