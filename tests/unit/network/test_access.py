"""Who may use which part of the network: the table access.py promises."""

from __future__ import annotations

import pytest

from counsellor_console.network.access import (
    may_close_thread,
    may_keep_register,
    may_plan,
    may_use_network,
)
from security.roles import Role, StaffIdentity


@pytest.mark.parametrize(
    ("role", "network", "plan", "register"),
    [
        (Role.COUNSELLOR, True, True, False),
        (Role.SUPERVISOR, True, True, True),
        (Role.ADMIN, True, True, True),
    ],
)
def test_the_table(role: Role, network: bool, plan: bool, register: bool) -> None:
    assert may_use_network(role) is network
    assert may_plan(role) is plan
    assert may_keep_register(role) is register


def test_a_thread_is_closed_by_its_starter_or_a_supervisor() -> None:
    anna = StaffIdentity("anna", "Anna", Role.COUNSELLOR)
    sigrid = StaffIdentity("sigrid", "Sigrid", Role.SUPERVISOR)
    assert may_close_thread(anna, "anna")
    assert not may_close_thread(anna, "bilal")
    assert may_close_thread(sigrid, "bilal")
