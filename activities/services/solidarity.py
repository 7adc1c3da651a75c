"""The solidarity fund: requests, decisions, payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.money import quantize_money
from smartcoop.core.validators import check_money_fits, check_texts

from ..models import SolidarityRequest


def solidarity_request_submit(
    *, member, reason: str, explanation: str, amount_requested: Decimal, actor: User | None
) -> SolidarityRequest:
    check_texts(explanation=explanation, multi_line=("explanation",))
    check_money_fits("amount_requested", amount_requested)
    amount = quantize_money(amount_requested)
    if amount <= 0:
        raise ValidationFailed(_("Give the amount you need."), field="amount_requested")
    with transaction.atomic():
        request = SolidarityRequest.objects.create(
            member=member, reason=reason, explanation=explanation, amount_requested=amount
        )
        # Confidential: the log records that a request exists, never its content.
        audit_log(actor=actor, action="activities.solidarity.submitted", target=request)
    return request


def solidarity_request_decide(
    *,
    request: SolidarityRequest,
    accept: bool,
    actor: User | None,
    amount_granted: Decimal | None = None,
    note: str = "",
) -> SolidarityRequest:
    with transaction.atomic():
        request = SolidarityRequest.objects.select_for_update().get(pk=request.pk)
        if not request.can("decide"):
            raise Conflict(_("This request was already decided."))
        if accept:
            granted = quantize_money(amount_granted or request.amount_requested)
            if granted <= 0:
                raise ValidationFailed(_("Grant a positive amount."), field="amount_granted")
            request.amount_granted = granted
        request.status = (
            SolidarityRequest.Status.ACCEPTED if accept else SolidarityRequest.Status.REFUSED
        )
        request.committee_note = note
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.save()
        audit_log(
            actor=actor,
            action="activities.solidarity.accepted" if accept else "activities.solidarity.refused",
            target=request,
            data={"amount_granted": str(request.amount_granted or "")},
        )
    return request


def solidarity_request_mark_paid(
    *, request: SolidarityRequest, paid_on: dt.date, actor: User | None
) -> SolidarityRequest:
    """The fund paid the member (a transfer from the fund's account, not an Activity budget)."""
    with transaction.atomic():
        request = SolidarityRequest.objects.select_for_update().get(pk=request.pk)
        if not request.can("pay"):
            raise Conflict(_("Only an accepted request can be paid."))
        request.status = SolidarityRequest.Status.PAID
        request.paid_on = paid_on
        request.save(update_fields=["status", "paid_on", "updated_at"])
        audit_log(
            actor=actor,
            action="activities.solidarity.paid",
            target=request,
            data={"amount": str(request.amount_granted)},
        )
    return request
