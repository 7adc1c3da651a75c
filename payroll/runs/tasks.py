"""Celery tasks of the pay runs: thin, each calls one step of `services`, which re-checks the
run's state, so a task delivered twice (acks_late: a killed worker's task comes back) or sent
again by the resume sweep changes nothing."""

from __future__ import annotations

import traceback

from celery import chord, shared_task
from django.utils import timezone

from smartcoop.core.tasks import SmartcoopTask, in_each_entity

from ..models import PayRun
from . import services


@shared_task(base=SmartcoopTask, name="payroll.runs.compute")
def payrun_compute(run_id: int, *, entity_id: int) -> None:
    """Fan the pending items out as a chord: one task per chunk (any worker process or host
    takes one), then the callback moves the run to review."""
    run = PayRun.objects.filter(pk=run_id, state=PayRun.State.COMPUTING).first()
    if run is None:
        return
    chunks = services.payrun_compute_chunks(run=run)
    finish = payrun_compute_finish.si(run_id, entity_id=entity_id)
    if not chunks:
        finish.apply_async()
        return
    chord(payrun_compute_chunk.si(run_id, ids, entity_id=entity_id) for ids in chunks)(finish)


class ComputeChunkTask(SmartcoopTask):
    """A chunk of the compute chord. When it fails for good (its retries spent, or an error no
    retry mends, e.g. contract data the engine cannot compute), the chord's callback never
    comes: besides the TaskFailure, the run is put in FAILED with the reason, shown on its page
    with "Try again"."""

    abstract = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        super().on_failure(exc, task_id, args, kwargs, einfo)
        from django_scopes import scope

        from smartcoop.core.logging import redact

        run_id, item_ids = args[0], args[1]
        reason = redact("".join(traceback.format_exception_only(type(exc), exc)).strip())[:500]
        with scope(entity=kwargs.get("entity_id")):
            services.payrun_compute_failed(run_id=run_id, item_ids=item_ids, reason=reason)


@shared_task(base=ComputeChunkTask, name="payroll.runs.compute_chunk")
def payrun_compute_chunk(run_id: int, item_ids: list[int], *, entity_id: int) -> int:
    return len(services.payrun_items_compute(run_id=run_id, item_ids=item_ids))


@shared_task(base=SmartcoopTask, name="payroll.runs.compute_finish")
def payrun_compute_finish(run_id: int, *, entity_id: int) -> None:
    services.payrun_compute_finish(run_id=run_id)


@shared_task(base=SmartcoopTask, name="payroll.runs.render_chunk", ignore_result=True)
def payrun_render_chunk(payslip_ids: list[int], *, entity_id: int) -> int:
    """Render the PDFs of a chunk of the run's payslips in this worker, their facts read in a
    constant number of queries (`payslips_render_pdfs`). A payslip whose PDF fails is sent on
    its own (`payslip_render_pdf`, which retries and records its failure) so the rest of the
    chunk is rendered; a payslip already rendered is skipped."""
    from payroll.tasks import payslip_render_pdf, payslips_render_pdfs

    done, failed = payslips_render_pdfs(payslip_ids)
    for payslip_id in failed:
        payslip_render_pdf.apply_async(kwargs={"payslip_id": payslip_id, "entity_id": entity_id})
    return done


class AfterApprovalTask(SmartcoopTask):
    """The steps after approval. When one fails for good (its retries spent, or an error no
    retry mends), the run stops in FAILED at that step with the reason on its page, and "Try
    again" starts from it; the resume sweep leaves it alone."""

    abstract = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        super().on_failure(exc, task_id, args, kwargs, einfo)
        from django_scopes import scope

        from smartcoop.core.logging import redact

        reason = redact("".join(traceback.format_exception_only(type(exc), exc)).strip())[:500]
        with scope(entity=kwargs.get("entity_id")):
            services.payrun_step_failed(run_id=args[0], reason=reason)


@shared_task(base=AfterApprovalTask, name="payroll.runs.after_approval")
def payrun_after_approval(run_id: int, *, entity_id: int) -> None:
    """The steps after approval, in order; each one does nothing unless the run is at its step."""
    services.payrun_render(run_id=run_id)
    services.payrun_pay(run_id=run_id)
    services.payrun_post(run_id=run_id)


@shared_task(
    base=SmartcoopTask,
    name="payroll.runs.sweep",
    without_entity="beat sweep: opens one scope per entity (in_each_entity)",
)
def payruns_sweep() -> int:
    """Hourly, harmless: open the runs due soon, resume the stuck ones and render the
    payslips whose PDF was lost."""
    today = timezone.localdate()

    def work(entity) -> int:
        return (
            services.payruns_open_due(entity=entity, today=today)
            + services.payruns_resume(entity=entity)
            + services.payslips_render_missing(entity=entity)
        )

    return in_each_entity(work)
