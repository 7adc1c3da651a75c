"""Pay-run and payslip tasks run in the scope of the entity they are sent for: given another
entity's run or payslips they compute, approve, render, pay and fail nothing of it (a task that
cannot find its run fails into the health page, and the run it did not find stays as it was)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from payroll import tasks as payslip_tasks
from payroll.models import PayRun, PayRunItem, Payslip, PayslipDocument
from payroll.runs import services
from payroll.runs import tasks as run_tasks
from smartcoop.core.models import TaskFailure
from tests.factories import staff_user
from tests.payroll.runs_setup import due_contract, funded_activity, worker

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def run(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    activity = funded_activity()
    contracts = [due_contract(activity, worker(activity), day=d) for d in (2, 3)]
    pay_date = max(c.wage_due_on for c in contracts)
    with scope(entity=activity.entity_id):
        return services.payrun_create(entity=activity.entity, pay_date=pay_date)


def states(run: PayRun) -> tuple[str, list[str]]:
    with scope(entity=run.entity_id):
        run.refresh_from_db()
        return run.state, sorted(PayRunItem.objects.filter(run=run).values_list("state", flat=True))


def test_computing_another_entitys_run_computes_and_fails_nothing(run, other_entity):
    assert states(run) == (PayRun.State.COMPUTING, ["pending", "pending"])
    item_ids = list(PayRunItem.objects.filter(run=run).values_list("pk", flat=True))

    chunk = run_tasks.payrun_compute_chunk.apply(
        args=(run.pk, item_ids), kwargs={"entity_id": other_entity.pk}
    )
    finish = run_tasks.payrun_compute_finish.apply(
        args=(run.pk,), kwargs={"entity_id": other_entity.pk}
    )
    assert chunk.failed() and finish.failed()
    assert TaskFailure.objects.filter(task_name="payroll.runs.compute_chunk").exists()
    # The run is not computed, not moved to review, and not marked failed by the chunk's failure.
    assert states(run) == (PayRun.State.COMPUTING, ["pending", "pending"])
    assert not Payslip.objects.with_scopes_disabled().exists()

    run_tasks.payrun_compute_chunk(run.pk, item_ids, entity_id=run.entity_id)  # its own: computed
    assert states(run) == (PayRun.State.COMPUTING, ["computed", "computed"])


def test_the_steps_after_approval_and_the_pdfs_do_nothing_for_another_entity(run, other_entity):
    entity = run.entity
    with scope(entity=entity.pk):
        for chunk in services.payrun_compute_chunks(run=run):
            services.payrun_items_compute(run_id=run.pk, item_ids=chunk)
        services.payrun_compute_finish(run_id=run.pk)
        run.refresh_from_db()
        services.payrun_approve(run=run, actor=staff_user("payroll_officer", entities=[entity]))
        payslips = list(Payslip.objects.filter(entity=entity).values_list("pk", flat=True))
    assert len(payslips) == 2

    after = run_tasks.payrun_after_approval.apply(
        args=(run.pk,), kwargs={"entity_id": other_entity.pk}
    )
    assert after.failed()
    assert run_tasks.payrun_render_chunk(payslips, entity_id=other_entity.pk) == 0
    for pk in payslips:
        assert payslip_tasks.payslip_render_pdf(payslip_id=pk, entity_id=other_entity.pk) is False
    with scope(entity=entity.pk):
        run.refresh_from_db()
        assert run.state == PayRun.State.APPROVED and not run.sepa_xml
    assert not PayslipDocument.objects.with_scopes_disabled().exists()

    # Sent for its own entity, the PDFs are rendered.
    assert run_tasks.payrun_render_chunk(payslips, entity_id=entity.pk) == 2
