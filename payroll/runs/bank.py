"""Payslips marked paid from the bank statement import: the salary batch leaves the entity's
account as one debit carrying the file's message id (`SAL-…`) for the file's total. Registered
with invoicing's debit hook (`invoicing/bank_hooks.py`) when payroll starts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.money import format_money

from ..models import PayRun, PayRunItem
from ..sepa import NS, payrun_message_id

if TYPE_CHECKING:
    from smartcoop.core.models import User


def _file_total(run: PayRun) -> Decimal:
    root = ET.fromstring(run.sepa_xml.encode())  # noqa: S314 - our own file
    return Decimal(root.findtext(f".//{{{NS}}}GrpHdr/{{{NS}}}CtrlSum") or "0")


def salary_debits_imported(*, entity, rows) -> None:
    """A debit whose text names a posted run's message id and whose amount is the file's total
    closes the run: its approved payslips are paid on the booking date. Runs once per debit
    (the import skips a bank entry it has seen)."""
    runs = list(
        PayRun.objects.filter(entity=entity, state=PayRun.State.POSTED).exclude(sepa_xml="")
    )
    for row in rows:
        text = f"{row.free_text} {row.structured_reference}".upper()
        for run in runs:
            if payrun_message_id(run) in text and -row.amount == _file_total(run):
                if PayRun.objects.filter(entity=entity, paid_by_debit=row.bank_reference).exists():
                    continue
                _close(run, row, actor=None, by_hand=False)


def _close(run: PayRun, row, *, actor: User | None, by_hand: bool) -> PayRun | None:
    with transaction.atomic():
        locked = PayRun.objects.select_for_update().get(pk=run.pk)
        if locked.state != PayRun.State.POSTED:
            return None
        paid = locked.items.filter(state=PayRunItem.State.APPROVED).update(paid_on=row.booking_date)
        locked.state = PayRun.State.CLOSED
        locked.paid_by_debit = row.bank_reference
        locked.save(update_fields=["state", "paid_by_debit", "updated_at"])
        audit_log(
            actor=actor,
            action="payroll.run.paid",
            target=locked,
            data={
                "payslips": paid,
                "booked_on": row.booking_date.isoformat(),
                "debit": row.bank_reference,
                "matched_by_hand": by_hand,
            },
        )
    return locked


def payrun_match_debit(*, run: PayRun, bank_reference: str, actor: User | None) -> PayRun:
    """A payroll officer names the debit that paid a posted run when the bank's text does not
    carry the file's message id: an imported debit of this entity, of the file's total, that
    paid no other run. Closes the run like the automatic match (audited, by hand)."""
    from invoicing.bank_hooks import debit_find

    if run.state != PayRun.State.POSTED or not run.sepa_xml:
        raise Conflict(_("Only a posted run waits for its debit."))
    row = debit_find(entity=run.entity, bank_reference=bank_reference)
    if row is None:
        raise ValidationFailed(
            _("No imported debit of this entity has this bank reference."), field="bank_reference"
        )
    total = _file_total(run)
    if -row.amount != total:
        raise ValidationFailed(
            _("This debit is %(amount)s; the payment file's total is %(total)s.")
            % {"amount": format_money(-row.amount), "total": format_money(total)},
            field="bank_reference",
        )
    if PayRun.objects.filter(entity=run.entity, paid_by_debit=row.bank_reference).exists():
        raise ValidationFailed(_("This debit already paid another run."), field="bank_reference")
    try:
        closed = _close(run, row, actor=actor, by_hand=True)
    except IntegrityError:  # another run took the debit meanwhile (unique per entity)
        raise ValidationFailed(
            _("This debit already paid another run."), field="bank_reference"
        ) from None
    if closed is None:
        raise Conflict(_("Only a posted run waits for its debit."))
    return closed
