"""Expense claims: lines with their receipts, submission, approval (debits the Activity), rejection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.money import quantize_money
from smartcoop.core.notifications import notify
from smartcoop.core.validators import check_money_fits, check_texts
from smartcoop.countries import ParameterNotInForce, current_pack

from .. import calculations
from ..models import Activity, ExpenseClaim, ExpenseLine
from ..uploads import validate_upload
from ._shared import ZERO, K, _lock_activity, _money, _source_of, _today
from .contracts import _membership_or_refuse
from .ledger import _entry, _require_available

KM_LIMIT = Decimal(10**6)  # ExpenseLine.km: 8 digits, 1 decimal (and no trip is longer)


def expense_claim_create(
    *, activity: Activity, member, title: str, actor: User | None
) -> ExpenseClaim:
    _membership_or_refuse(activity=activity, member=member, right="can_spend")
    check_texts(title=title)
    with transaction.atomic():
        claim = ExpenseClaim.objects.create(
            entity_id=activity.entity_id, activity=activity, member=member, title=title
        )
        audit_log(actor=actor, action="activities.expense.created", target=claim)
    return claim


def _recompute_totals(claim: ExpenseClaim) -> None:
    totals = claim.lines.aggregate(t=Sum("amount_incl_vat"), v=Sum("vat_amount"))
    claim.total = totals["t"] or ZERO
    claim.total_vat = totals["v"] or ZERO
    claim.save(update_fields=["total", "total_vat", "updated_at"])


def expense_line_add(
    *,
    claim: ExpenseClaim,
    spent_on: dt.date,
    category: str,
    description: str,
    actor: User | None,
    amount_incl_vat: Decimal | None = None,
    vat_amount: Decimal = ZERO,
    km: Decimal | None = None,
    receipt=None,
) -> ExpenseLine:
    """A line of a draft claim. Kilometres are paid at the pack's rate on the day of the trip
    (no receipt); any other line needs its receipt (PDF, PNG or JPEG, checked by content)."""
    if not claim.can("edit"):
        raise Conflict(_("Only a draft claim can be changed."))
    check_texts(description=description)
    started = timezone.localdate(claim.activity.created_at)
    if spent_on < started:
        raise ValidationFailed(
            _("An expense of this Activity is dated from its creation (%(date)s) on.")
            % {"date": date_format(started, "SHORT_DATE_FORMAT")},
            code="before_activity",
            field="spent_on",
        )
    check_money_fits("amount_incl_vat", amount_incl_vat)
    check_money_fits("vat_amount", vat_amount)
    km_rate = None
    if category == ExpenseLine.Category.KILOMETRES:
        if not km or km <= 0:
            raise ValidationFailed(_("Give the distance in kilometres."), field="km")
        if km >= KM_LIMIT or km != km.quantize(Decimal("0.1")):
            raise ValidationFailed(
                _("Give the distance in kilometres below %(max)s, with at most one decimal.")
                % {"max": KM_LIMIT},
                field="km",
            )
        try:
            km_rate = current_pack().param("km_allowance_rate", on=spent_on)
        except ParameterNotInForce:
            raise ValidationFailed(
                _("No kilometre rate is known for %(date)s.")
                % {"date": date_format(spent_on, "SHORT_DATE_FORMAT")},
                field="spent_on",
            ) from None
        amount_incl_vat = calculations.km_allowance(km=km, rate=km_rate)
        vat_amount = ZERO
    else:
        km = None
        if amount_incl_vat is None or amount_incl_vat <= 0:
            raise ValidationFailed(
                _("Give the amount paid, VAT included."), field="amount_incl_vat"
            )
        if receipt is None:
            raise ValidationFailed(_("Attach the receipt."), field="receipt")
        validate_upload(receipt, field="receipt")
    amount_incl_vat = quantize_money(amount_incl_vat)
    vat_amount = quantize_money(vat_amount or ZERO)
    if vat_amount < 0 or vat_amount > amount_incl_vat:
        raise ValidationFailed(
            _("The VAT (%(vat)s) must lie between zero and the amount (%(amount)s).")
            % {"vat": _money(vat_amount), "amount": _money(amount_incl_vat)},
            field="vat_amount",
        )
    if spent_on > _today():
        raise ValidationFailed(_("An expense cannot be in the future."), field="spent_on")
    with transaction.atomic():
        line = ExpenseLine.objects.create(
            claim=claim,
            spent_on=spent_on,
            category=category,
            description=description,
            amount_incl_vat=amount_incl_vat,
            vat_amount=vat_amount,
            km=km,
            km_rate=km_rate,
            receipt=receipt or "",
        )
        _recompute_totals(claim)
        audit_log(
            actor=actor,
            action="activities.expense.line_added",
            target=claim,
            data={"amount": str(amount_incl_vat), "category": category},
        )
    return line


def expense_line_remove(*, line: ExpenseLine, actor: User | None) -> None:
    claim = line.claim
    if not claim.can("edit"):
        raise Conflict(_("Only a draft claim can be changed."))
    with transaction.atomic():
        line.delete()
        _recompute_totals(claim)
        audit_log(actor=actor, action="activities.expense.line_removed", target=claim)


def expense_claim_submit(*, claim: ExpenseClaim, actor: User | None) -> ExpenseClaim:
    """Send a draft claim to the adviser; refused above the available budget (with figures)."""
    with transaction.atomic():
        activity = _lock_activity(claim.activity)
        claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
        if not claim.can("submit"):
            raise Conflict(_("This claim was already submitted."))
        if claim.total <= 0:
            raise ValidationFailed(_("Add at least one line."))
        _require_available(activity=activity, amount=claim.total, what=_("This claim"))
        claim.status = ExpenseClaim.Status.SUBMITTED
        claim.submitted_at = timezone.now()
        claim.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_log(
            actor=actor,
            action="activities.expense.submitted",
            target=claim,
            data={"total": str(claim.total)},
        )
    return claim


def expense_claim_approve(
    *, claim: ExpenseClaim, actor: User | None, on: dt.date | None = None
) -> ExpenseClaim:
    """Approve a submitted claim: the reimbursement is debited from the Activity's budget in the
    same transaction."""
    with transaction.atomic():
        activity = _lock_activity(claim.activity)
        claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
        if not claim.can("decide"):
            raise Conflict(_("This claim is %(status)s.") % {"status": claim.get_status_display()})
        claim.status = ExpenseClaim.Status.APPROVED
        claim.decided_by = actor
        claim.decided_at = timezone.now()
        claim.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        source_type, source_id = _source_of(claim)
        _entry(
            activity=activity,
            kind=K.EXPENSE_REIMBURSEMENT,
            amount=-claim.total,
            on=on or _today(),
            source_type=source_type,
            source_id=source_id,
            actor=actor,
            description=claim.title,
        )
        audit_log(
            actor=actor,
            action="activities.expense.approved",
            target=claim,
            data={"total": str(claim.total)},
        )
        _tell_member(claim, "activities.expense_approved")
    return claim


def expense_claim_reject(*, claim: ExpenseClaim, reason: str, actor: User | None) -> ExpenseClaim:
    check_texts(reason=reason, multi_line=("reason",))
    if not reason.strip():
        raise ValidationFailed(_("Tell the member why the claim is rejected."), field="reason")
    with transaction.atomic():
        claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
        if not claim.can("decide"):
            raise Conflict(_("This claim is %(status)s.") % {"status": claim.get_status_display()})
        claim.status = ExpenseClaim.Status.REJECTED
        claim.decision_reason = reason[:300]
        claim.decided_by = actor
        claim.decided_at = timezone.now()
        claim.save(
            update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"]
        )
        audit_log(
            actor=actor, action="activities.expense.rejected", target=claim, data={"reason": reason}
        )
        _tell_member(claim, "activities.expense_refused")
    return claim


def _tell_member(claim: ExpenseClaim, kind: str) -> None:
    notify(
        user=claim.member.user,
        kind=kind,
        params={"title": claim.title, "total": claim.total, "reason": claim.decision_reason},
        url=reverse("activities:expense", args=[claim.public_id]),
    )
