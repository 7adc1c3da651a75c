"""A member's status and adviser: becoming active, assignment to an adviser and office."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import Office, User
from smartcoop.core.roles import Role

from ..models import AdviserAssignment, Member
from ._shared import _lock


def member_mark_active(*, member: Member, actor: User | None = None) -> Member:
    """A member who starts working (an Activity or a contract exists) becomes active. Called by
    the activities app; does nothing if the member is already active. Locks: the member row."""
    with transaction.atomic():
        member = _lock(member)
        if member.status == Member.Status.ACTIVE:
            return member
        if member.status != Member.Status.MEMBER:
            raise Conflict(
                _("Only a member whose shares are paid can become active (now: %(status)s).")
                % {"status": member.get_status_display()},
                code="not_a_member",
            )
        member.status = Member.Status.ACTIVE
        member.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="members.member.activated", target=member)
    return member


def member_assign(
    *, member: Member, actor: User | None, office: Office, adviser: User | None, reason: str = ""
) -> Member:
    """Change a member's office and adviser; the previous pair stays in the history."""
    if adviser is not None and (adviser.role != Role.ADVISER or adviser.office_id != office.pk):
        raise ValidationFailed(
            _("The adviser must be an adviser of the office chosen."), field="adviser"
        )
    with transaction.atomic():
        member = _lock(member)
        before = {
            "office": member.office.name if member.office else None,
            "adviser": str(member.adviser) if member.adviser_id else None,
        }
        member.office, member.adviser = office, adviser
        member.save(update_fields=["office", "adviser", "updated_at"])
        AdviserAssignment.objects.create(
            member=member, office=office, adviser=adviser, assigned_by=actor, reason=reason
        )
        audit_log(
            actor=actor,
            action="members.member.adviser_changed",
            target=member,
            data={
                "before": before,
                "after": {"office": office.name, "adviser": str(adviser) if adviser else None},
                "reason": reason,
            },
        )
    return member
