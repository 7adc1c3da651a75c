"""Correcting an approved payslip from the staff payslip page: the reversal (approved and
numbered at once) and the replacement payslip of the same contracts (a draft, approved by the
payroll officer once checked). One transaction: if the replacement cannot be computed,
nothing is kept and the reversal's number is given back."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import EmploymentContract
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed

from . import services
from .models import CorrectionSettlement, Payslip

if TYPE_CHECKING:
    from smartcoop.core.models import User


def payslip_correction_start(
    *,
    payslip: Payslip,
    pay_date: date,
    reason: str,
    actor: User | None,
    now: datetime | None = None,
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


def payslip_replaced(payslip: Payslip) -> Payslip | None:
    """The approved payslip whose contracts `payslip` pays again after a correction."""
    from .models import PayslipContract

    row = (
        PayslipContract.objects.filter(payslip=payslip, replaces__isnull=False)
        .select_related("replaces__payslip__corrects")
        .first()
    )
    return row.replaces.payslip.corrects if row is not None and row.replaces else None


def correction_approve(
    *, replacement: Payslip, actor: User | None, now: datetime | None = None
) -> Payslip:
    """Approve the replacement draft of a correction and settle its net difference in the same
    transaction: nothing is approved without its settlement, and the other way round."""
    now = now or timezone.now()
    if payslip_replaced(replacement) is None:
        raise Conflict(_("Only the payslip of a correction is approved here."))
    with transaction.atomic():
        replacement = services.payslip_approve(payslip=replacement, actor=actor, now=now)
        correction_settle(replacement=replacement, actor=actor)
    return replacement


def correction_settle(*, replacement: Payslip, actor: User | None) -> CorrectionSettlement:
    """Settle the net difference of an approved replacement payslip, once.

    Positive: a SEPA pain.001 file of one transfer (end-to-end id = the replacement's
    reference) is built and kept with its SHA-256. Negative: the amount is recorded as owed by
    the worker (RULES.md gives no limit for deducting it from later pay, so it is shown, not
    deducted). Running it again returns the settlement already made: the replacement row is
    locked first, and the one-to-one `replacement` column refuses a second settlement even
    from a concurrent transaction."""
    import hashlib

    from .sepa import SepaError, correction_message_id, correction_sepa_xml

    with transaction.atomic():
        replacement = (
            Payslip.objects.select_for_update(no_key=True)
            .select_related("entity", "member")
            .get(pk=replacement.pk)
        )
        existing = CorrectionSettlement.objects.filter(replacement=replacement).first()
        if existing is not None:
            return existing
        if replacement.status != Payslip.Status.APPROVED:
            raise Conflict(_("The corrected payslip is settled once approved."))
        corrected = payslip_replaced(replacement)
        if corrected is None:
            raise Conflict(_("Only the payslip of a correction is settled."))
        difference = replacement.net_pay - corrected.net_pay
        settlement = CorrectionSettlement(
            entity_id=replacement.entity_id,
            member_id=replacement.member_id,
            replacement=replacement,
            corrected=corrected,
            difference=difference,
        )
        if difference > 0:
            try:
                xml = correction_sepa_xml(
                    replacement=replacement, corrected=corrected, amount=difference
                )
            except SepaError as error:
                raise Conflict(
                    _("The worker has no valid IBAN: record it, then approve again.")
                ) from error
            settlement.kind = CorrectionSettlement.Kind.PAY
            settlement.message_id = correction_message_id(replacement)
            settlement.sepa_xml = xml.decode()
            settlement.sepa_sha256 = hashlib.sha256(xml).hexdigest()
        elif difference < 0:
            settlement.kind = CorrectionSettlement.Kind.OWED
        else:
            settlement.kind = CorrectionSettlement.Kind.NONE
        settlement.save()
        audit_log(
            actor=actor,
            action="payroll.payslip.correction_settled",
            target=replacement,
            data={
                "kind": settlement.kind,
                "difference": str(difference),
                "corrected": corrected.reference,
                "replacement": replacement.reference,
                "message_id": settlement.message_id,
            },
        )
    return settlement
