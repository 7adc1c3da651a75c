"""Payroll's Celery tasks. `payslip_render_pdf` is called by the pay runs (PDF step) and after
an approval; running it twice renders once."""

from __future__ import annotations

import hashlib
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from smartcoop.core.tasks import SmartcoopTask

logger = logging.getLogger(__name__)


class PayslipRenderFailed(RuntimeError):
    """A permanent rendering failure, with the payslip named (kept as a TaskFailure)."""


@shared_task(base=SmartcoopTask, name="payroll.payslip_render_pdf", ignore_result=True)
def payslip_render_pdf(*, payslip_id: int, entity_id: int) -> bool:
    """Render the PDF of an approved payslip in the worker's language and keep it with its
    SHA-256 (a `PayslipDocument`). Does nothing for a draft, an unknown payslip or one already
    rendered; returns whether it rendered. Rendering happens outside any transaction; the row
    is written once (one document per payslip, a unique constraint)."""
    from .documents.render import payslip_pdf
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
    return bool(_store([(payslip, pdf, language)]))


def _store(rendered: list[tuple]) -> int:
    """Keep rendered PDFs, `(payslip, pdf bytes, language)`, in one transaction of three
    statements whatever their number; returns how many were stored (a payslip another worker
    stored first is skipped)."""
    from .documents.render import RENDERER
    from .models import Payslip, PayslipDocument

    if not rendered:
        return 0
    try:
        with transaction.atomic():
            # One renderer of a payslip stores at a time (FOR NO KEY UPDATE: the row stays
            # immutable, and it does not wait for the foreign-key checks of other documents).
            ids = sorted(payslip.pk for payslip, _pdf, _language in rendered)
            list(Payslip.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
                 .values_list("pk", flat=True))  # fmt: skip
            stored = set(
                PayslipDocument.objects.filter(payslip_id__in=ids).values_list(
                    "payslip_id", flat=True
                )
            )
            documents = []
            for payslip, pdf, language in rendered:
                if payslip.pk in stored:
                    continue  # another worker stored it first
                document = PayslipDocument(
                    entity_id=payslip.entity_id,
                    payslip=payslip,
                    language=language,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    renderer=RENDERER,
                )
                # The file is named after the payslip's public id (numbers repeat across
                # entities): a file already there was written by a worker killed before its
                # row was committed, and is replaced, never kept beside a second copy.
                filename = f"{payslip.public_id}.pdf"
                name = document.pdf.field.generate_filename(document, filename)
                if document.pdf.storage.exists(name):
                    document.pdf.storage.delete(name)
                document.pdf.save(filename, ContentFile(pdf), save=False)
                documents.append(document)
            PayslipDocument.objects.bulk_create(documents)
    except IntegrityError:
        return 0
    return len(documents)


def payslips_render_pdfs(payslip_ids: list[int]) -> tuple[int, list[int]]:
    """Render and keep the PDFs of many approved payslips (a pay run's render chunk) in a
    constant number of queries: the payslips with their members, corrected payslips and
    contracts, their facts (`payslips_facts`) and one storing transaction. Returns how many
    were stored and the ids whose PDF failed (for `payslip_render_pdf` to render on its own);
    drafts, unknown payslips and payslips already rendered are skipped."""
    from smartcoop.core.models import LegalEntity

    from .documents.render import payslip_document_data, payslip_language, payslips_facts, typst_pdf
    from .models import Payslip, PayslipDocument

    payslips = list(
        Payslip.objects.select_related("member", "corrects")
        .prefetch_related("paid_contracts__contract")
        .filter(pk__in=payslip_ids, status=Payslip.Status.APPROVED)
        .exclude(pk__in=PayslipDocument.objects.values("payslip_id"))
        .order_by("pk")
    )
    if not payslips:
        return 0, []
    entities = LegalEntity.objects.in_bulk({p.entity_id for p in payslips})
    facts = payslips_facts(payslips)
    rendered, failed = [], []
    for payslip in payslips:
        try:
            language = payslip_language(payslip, entities)
            pdf = typst_pdf(payslip_document_data(payslip, facts[payslip.pk], language))
        except SmartcoopTask.autoretry_for:
            raise
        except Exception:
            # Rendered again on its own by payslip_render_pdf, which records a TaskFailure
            # naming the payslip if it fails there too; the chunk goes on with the others.
            logger.exception("payslip %s: PDF failed in its render chunk", payslip.public_id)
            failed.append(payslip.pk)
            continue
        rendered.append((payslip, pdf, language))
    return _store(rendered), failed
