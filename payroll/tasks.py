"""Payroll's Celery tasks. `payslip_render_pdf` is called by the pay runs (PDF step) and after
an approval; running it twice renders once."""

from __future__ import annotations

import hashlib

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from smartcoop.core.tasks import SmartcoopTask


class PayslipRenderFailed(RuntimeError):
    """A permanent rendering failure, with the payslip named (kept as a TaskFailure)."""


@shared_task(base=SmartcoopTask, name="payroll.payslip_render_pdf", ignore_result=True)
def payslip_render_pdf(*, payslip_id: int, entity_id: int) -> bool:
    """Render the PDF of an approved payslip in the worker's language and keep it with its
    SHA-256 (a `PayslipDocument`). Does nothing for a draft, an unknown payslip or one already
    rendered; returns whether it rendered. Rendering happens outside any transaction; the row
    is written once (one document per payslip, a unique constraint)."""
    from .documents.render import RENDERER, payslip_pdf
    from .models import Payslip, PayslipDocument

    payslip = (
        Payslip.objects.select_related("member", "corrects")
        .filter(pk=payslip_id, status=Payslip.Status.APPROVED)
        .first()
    )
    if payslip is None or PayslipDocument.objects.filter(payslip=payslip).exists():
        return False
    try:
        pdf, language = payslip_pdf(payslip)
    except SmartcoopTask.autoretry_for:
        raise
    except Exception as exc:
        raise PayslipRenderFailed(
            f"payslip {payslip.reference} ({payslip.public_id}): {type(exc).__name__}: {exc}"
        ) from exc
    try:
        with transaction.atomic():
            # One renderer of this payslip stores at a time (FOR NO KEY UPDATE: the row stays
            # immutable, and it does not wait for the foreign-key checks of other documents).
            Payslip.objects.select_for_update(no_key=True).filter(pk=payslip.pk).first()
            if PayslipDocument.objects.filter(payslip=payslip).exists():
                return False  # another worker stored it first
            document = PayslipDocument(
                entity_id=payslip.entity_id,
                payslip=payslip,
                language=language,
                sha256=hashlib.sha256(pdf).hexdigest(),
                renderer=RENDERER,
            )
            # The file is named after the payslip's public id (numbers repeat across entities):
            # a file already there was written by a worker killed before its row was
            # committed, and is replaced, never kept beside a second copy.
            filename = f"{payslip.public_id}.pdf"
            name = document.pdf.field.generate_filename(document, filename)
            if document.pdf.storage.exists(name):
                document.pdf.storage.delete(name)
            document.pdf.save(filename, ContentFile(pdf), save=False)
            document.save()
    except IntegrityError:
        return False
    return True
