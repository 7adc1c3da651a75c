"""The Activity's life: creation, validation, suspension, closing, its members and their rights, the reserve."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.money import quantize_money
from smartcoop.core.validators import check_money_fits, check_texts

from .. import selectors
from ..models import Activity, ActivityMembership
from ._shared import ZERO, _lock_activity, _money
from .contracts import _mark_member_active


def activity_create(
    *, entity, coordinator, name: str, sector: str, description: str = "", actor: User | None
) -> Activity:
    """A member's new Activity (draft until an adviser validates it); the coordinator joins it
    with every right."""
    if not entity.is_employer or not entity.is_active:
        raise ValidationFailed(_("This entity does not host Activities."), field="entity")
    check_texts(name=name, description=description, multi_line=("description",))
    with transaction.atomic():
        activity = Activity.objects.create(
            entity=entity,
            coordinator=coordinator,
            name=name.strip(),
            sector=sector,
            description=description,
        )
        ActivityMembership.objects.create(
            activity=activity,
            member=coordinator,
            can_invoice=True,
            can_request_salary=True,
            can_spend=True,
        )
        audit_log(actor=actor, action="activities.activity.created", target=activity)
    return activity


def _activity_transition(
    *, activity: Activity, allowed_from, to: str, actor: User | None, reason: str, action: str
) -> Activity:
    check_texts(reason=reason, multi_line=("reason",))
    with transaction.atomic():
        locked = _lock_activity(activity)
        if locked.status not in allowed_from:
            raise Conflict(
                _("This Activity is %(status)s: it cannot become %(to)s.")
                % {"status": locked.get_status_display(), "to": Activity.Status(to).label},
                extra={"status": locked.status},
            )
        locked.status = to
        locked.status_reason = reason
        fields = ["status", "status_reason", "updated_at"]
        if to == Activity.Status.ACTIVE and locked.validated_at is None:
            locked.validated_by = actor
            locked.validated_at = timezone.now()
            fields += ["validated_by", "validated_at"]
        locked.save(update_fields=fields)
        audit_log(actor=actor, action=action, target=locked, data={"reason": reason})
    activity.refresh_from_db()
    return activity


def activity_validate(*, activity: Activity, actor: User | None) -> Activity:
    """An adviser validates a draft Activity: it may now invoice and pay salaries."""
    with transaction.atomic():
        activity = _activity_transition(
            activity=activity,
            allowed_from=Activity.STEPS["validate"],
            to=Activity.Status.ACTIVE,
            actor=actor,
            reason="",
            action="activities.activity.validated",
        )
        _mark_member_active(activity.coordinator, actor)
    return activity


def activity_suspend(*, activity: Activity, reason: str, actor: User | None) -> Activity:
    if not reason.strip():
        raise ValidationFailed(_("Say why the Activity is suspended."), field="reason")
    return _activity_transition(
        activity=activity,
        allowed_from=Activity.STEPS["suspend"],
        to=Activity.Status.SUSPENDED,
        actor=actor,
        reason=reason,
        action="activities.activity.suspended",
    )


def activity_reactivate(*, activity: Activity, actor: User | None) -> Activity:
    return _activity_transition(
        activity=activity,
        allowed_from=Activity.STEPS["reactivate"],
        to=Activity.Status.ACTIVE,
        actor=actor,
        reason="",
        action="activities.activity.reactivated",
    )


def activity_close(*, activity: Activity, reason: str, actor: User | None) -> Activity:
    """Close an Activity whose budget is settled: balance zero and nothing planned."""
    budget = selectors.activity_budget(activity=activity)
    if budget.balance != 0 or budget.planned_salaries or budget.pending_expenses:
        raise Conflict(
            _(
                "An Activity can be closed once its budget is settled: balance %(balance)s, "
                "planned salaries %(planned)s, pending expenses %(pending)s."
            )
            % {
                "balance": _money(budget.balance),
                "planned": _money(budget.planned_salaries),
                "pending": _money(budget.pending_expenses),
            },
            extra={"balance": str(budget.balance)},
        )
    return _activity_transition(
        activity=activity,
        allowed_from=Activity.STEPS["close"],
        to=Activity.Status.CLOSED,
        actor=actor,
        reason=reason,
        action="activities.activity.closed",
    )


def activity_member_set(
    *,
    activity: Activity,
    member,
    can_invoice: bool,
    can_request_salary: bool,
    can_spend: bool,
    actor: User | None,
) -> ActivityMembership:
    """Add a member to the team or change their rights."""
    with transaction.atomic():
        membership, created = ActivityMembership.objects.update_or_create(
            activity=activity,
            member=member,
            defaults={
                "can_invoice": can_invoice,
                "can_request_salary": can_request_salary,
                "can_spend": can_spend,
            },
        )
        audit_log(
            actor=actor,
            action="activities.team.added" if created else "activities.team.changed",
            target=activity,
            data={
                "member": str(member.public_id),
                "can_invoice": can_invoice,
                "can_request_salary": can_request_salary,
                "can_spend": can_spend,
            },
        )
    return membership


def activity_member_remove(*, activity: Activity, member, actor: User | None) -> None:
    if member.pk == activity.coordinator_id:
        raise Conflict(_("The coordinator stays in the team; name another coordinator first."))
    with transaction.atomic():
        ActivityMembership.objects.filter(activity=activity, member=member).delete()
        audit_log(
            actor=actor,
            action="activities.team.removed",
            target=activity,
            data={"member": str(member.public_id)},
        )


def activity_set_reserve(*, activity: Activity, amount: Decimal, actor: User | None) -> Activity:
    """What the Activity keeps aside: between zero and its balance."""
    check_money_fits("reserve_amount", amount)
    amount = quantize_money(amount)
    if amount < 0:
        raise ValidationFailed(_("A reserve cannot be negative."), field="reserve_amount")
    with transaction.atomic():
        locked = _lock_activity(activity)
        balance = selectors.activity_budget(activity=locked).balance
        if amount > max(balance, ZERO):
            raise ValidationFailed(
                _("The reserve cannot be above the balance of the Activity (%(balance)s).")
                % {"balance": _money(balance)},
                code="reserve_above_balance",
                field="reserve_amount",
            )
        old = locked.reserve_amount
        locked.reserve_amount = amount
        locked.save(update_fields=["reserve_amount", "updated_at"])
        audit_log(
            actor=actor,
            action="activities.activity.reserve_set",
            target=locked,
            data={"from": str(old), "to": str(amount)},
        )
    activity.reserve_amount = amount
    return activity
