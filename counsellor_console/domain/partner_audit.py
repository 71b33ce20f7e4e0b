"""Audit events of the partners' directory work (issue 13): what changed hands, never values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from counsellor_console.domain.audit import AuditEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryProposed(AuditEvent):
    """A partner proposed a change to their organisation's entry (``fields``: which)."""

    kind: ClassVar[str] = "entry_proposed"
    org: str
    fields: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryConfirmed(AuditEvent):
    """A partner confirmed their organisation's entry unchanged."""

    kind: ClassVar[str] = "entry_confirmed"
    org: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalApproved(AuditEvent):
    kind: ClassVar[str] = "proposal_approved"
    org: str
    by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalRejected(AuditEvent):
    kind: ClassVar[str] = "proposal_rejected"
    org: str
    by: str
