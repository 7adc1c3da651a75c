"""Payslips marked paid from the bank statement import: the salary batch leaves the entity's
account as one debit carrying the file's message id (`SAL-…`) for the file's total. Registered
with invoicing's debit hook (`invoicing/bank_hooks.py`) when payroll starts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from django.db import transaction

from smartcoop.core.audit import audit_log

from ..models import PayRun, PayRunItem
from ..sepa import NS, payrun_message_id


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
                with transaction.atomic():
                    locked = PayRun.objects.select_for_update().get(pk=run.pk)
                    if locked.state != PayRun.State.POSTED:
                        continue
                    paid = locked.items.filter(state=PayRunItem.State.APPROVED).update(
                        paid_on=row.booking_date
                    )
                    locked.state = PayRun.State.CLOSED
                    locked.save(update_fields=["state", "updated_at"])
                    audit_log(
                        actor=None,
                        action="payroll.run.paid",
                        target=locked,
                        data={"payslips": paid, "booked_on": row.booking_date.isoformat()},
                    )
