"""Correcting an approved payslip from the staff payslip page: the reversal (approved and
numbered at once) and the replacement payslip of the same contracts (a draft, approved by the
payroll officer once checked). One transaction: if the replacement cannot be computed,
nothing is kept and the reversal's number is given back."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import EmploymentContract
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed

from . import services
from .models import Payslip


def payslip_correction_start(
    *, payslip: Payslip, pay_date: date, reason: str, actor, now: datetime | None = None
) -> Payslip:
    """Reverse `payslip` and compute the contracts it paid again, on `pay_date`, with the
    data in force now (the IBAN, the tax profile of that date…). Returns the replacement draft.

    Locks the original payslip (in `payslip_correct`), then the number sequence (approval of
    the reversal), then the worker's payslip row of `pay_date` (`payslip_compute`)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the payslip is corrected."), field="reason")
    if payslip.status != Payslip.Status.APPROVED:
        raise Conflict(_("Only an approved payslip is corrected; a draft is recomputed."))
    if pay_date < payslip.pay_date:
        raise ValidationFailed(
            _("The correction is paid on or after the payslip it corrects."), field="pay_date"
        )
    taken = Payslip.objects.filter(
        entity_id=payslip.entity_id, member_id=payslip.member_id, pay_date=pay_date,
        corrects__isnull=True,
    ).exists()  # fmt: skip
    if taken:
        raise ValidationFailed(
            _("The worker already has a payslip on this date: choose another pay date."),
            field="pay_date",
        )
    with transaction.atomic():
        reversal = services.payslip_correct(payslip=payslip, pay_date=pay_date, actor=actor)
        reversal = services.payslip_approve(payslip=reversal, actor=actor, now=now)
        contracts = EmploymentContract.objects.filter(
            entity_id=payslip.entity_id,
            pk__in=reversal.paid_contracts.values_list("contract_id", flat=True),
        )
        replacement = services.payslip_compute(
            entity=payslip.entity,
            member=payslip.member,
            pay_date=pay_date,
            contracts=contracts,
            actor=actor,
        )
        audit_log(
            actor=actor,
            action="payroll.payslip.correction_started",
            target=payslip,
            data={
                "reason": reason,
                "corrected": payslip.reference,
                "reversal": reversal.reference,
                "replacement": str(replacement.public_id),
                "pay_date": pay_date.isoformat(),
            },
        )
    return replacement


def payslip_is_replacement(payslip: Payslip) -> bool:
    """Whether the payslip pays contracts again after a correction reversed them."""
    return payslip.paid_contracts.filter(replaces__isnull=False).exists()


def payslip_correction_of(payslip: Payslip) -> dict:
    """For the staff page: the reversal of this payslip and the payslip that pays its contracts
    again, if any; or, for a replacement, the payslip it replaces."""
    from .models import PayslipContract

    reversal = Payslip.objects.filter(corrects=payslip).first()
    replacement = None
    if reversal is not None:
        row = (
            PayslipContract.objects.filter(replaces__payslip=reversal)
            .select_related("payslip")
            .first()
        )
        replacement = row.payslip if row else None
    replaced = None
    row = (
        PayslipContract.objects.filter(payslip=payslip, replaces__isnull=False)
        .select_related("replaces__payslip__corrects")
        .first()
    )
    if row is not None:
        assert row.replaces is not None
        replaced = row.replaces.payslip.corrects
    return {"reversal": reversal, "replacement": replacement, "replaced": replaced}
