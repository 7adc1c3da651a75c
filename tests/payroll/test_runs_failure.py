"""A pay run whose compute step, or a step after approval, fails for good on a real Celery
worker: the run stops in the failed state with the reason (and the worker concerned), shown on
its page; the resume sweep leaves it alone; once the data is fixed, "Try again" starts from the
step that failed and the run goes on."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from activities.models import EmploymentContract, LedgerEntry
from members.models import Member
from payroll.models import PayRun, PayRunItem
from payroll.runs import services
from smartcoop.celery import app
from smartcoop.core.models import AuditLogEntry, TaskFailure
from tests.factories import LegalEntityFactory, staff_user
from tests.payroll.runs_setup import due_contract, funded_activity, worker
from tests.payroll.test_runs_worker import run_state, start_worker, stop_worker, wait_for


@pytest.mark.django_db(transaction=True)
def test_a_chunk_that_fails_for_good_puts_the_run_in_failed_and_try_again_finishes_it(client):
    activity = funded_activity()
    members = [worker(activity) for _n in range(3)]
    contracts = [due_contract(activity, member, day=3) for member in members]
    broken = contracts[1]
    # contract data the engine cannot compute: hours that are not a number (PostgreSQL's
    # numeric NaN passes the "hours > 0" check); no retry can mend it
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EmploymentContract._meta.db_table} SET hours = 'NaN' WHERE id = %s",  # noqa: S608
            [broken.pk],
        )
    pay_date = max(c.wage_due_on for c in contracts)
    app.control.purge()
    proc = start_worker(f"payrun-fail-{os.getpid()}@localhost")
    try:
        with scope(entity=activity.entity_id):
            run = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        wait_for(lambda: run_state(run.pk).state == PayRun.State.FAILED)
        failed = run_state(run.pk)
        assert "InvalidOperation" in failed.message and str(members[1]) in failed.message
        # the other chunks still compute; the broken worker's stays to compute

        def states():
            with scopes_disabled():
                return sorted(failed.items.values_list("state", flat=True))

        wait_for(lambda: states() == ["computed", "computed", "pending"])
        assert run_state(run.pk).state == PayRun.State.FAILED
        with scopes_disabled():
            assert TaskFailure.objects.filter(task_name="payroll.runs.compute_chunk").exists()
            assert AuditLogEntry.objects.filter(action="payroll.run.failed").count() == 1
        # the sweep does not send a failed run again
        with scope(entity=activity.entity_id):
            resumed = services.payruns_resume(entity=activity.entity, stale_after=dt.timedelta(0))
        assert resumed == 0
        # the payroll officer sees why, with the action
        officer = staff_user("payroll_officer", entities=[activity.entity])
        client.force_login(officer)
        page = client.get(reverse("payroll:run", args=[run.public_id])).content.decode()
        assert "The computation stopped" in page and "Try again" in page
        assert str(members[1]) in page
        # fixed, tried again: the rest is computed and the run goes to review
        EmploymentContract.objects.with_scopes_disabled().filter(pk=broken.pk).update(
            hours=contracts[0].hours
        )
        retry = client.post(reverse("payroll:run_retry", args=[run.public_id]))
        assert retry.status_code == 302
        wait_for(lambda: run_state(run.pk).state == PayRun.State.REVIEW)
    finally:
        stop_worker(proc)
    with scopes_disabled():
        run = run_state(run.pk)
        assert run.message == ""
        assert set(run.items.values_list("state", flat=True)) == {PayRunItem.State.COMPUTED}
        entry = AuditLogEntry.objects.get(action="payroll.run.retried")
        assert entry.actor == officer and "InvalidOperation" in entry.data["reason"]
    # a run that is not failed is not "tried again"
    assert client.post(reverse("payroll:run_retry", args=[run.public_id])).status_code == 302
    assert run_state(run.pk).state == PayRun.State.REVIEW
    # another entity's payroll officer: 404
    client.force_login(staff_user("payroll_officer", entities=[LegalEntityFactory()]))
    assert client.post(reverse("payroll:run_retry", args=[run.public_id])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_payment_file_that_cannot_be_built_stops_the_run_at_that_step_and_try_again_pays(
    client,
):
    activity = funded_activity()
    members = [worker(activity) for _n in range(2)]
    contracts = [due_contract(activity, member, day=3) for member in members]
    pay_date = max(c.wage_due_on for c in contracts)
    officer = staff_user("payroll_officer", entities=[activity.entity])
    app.control.purge()
    proc = start_worker(f"payrun-step-fail-{os.getpid()}@localhost")
    try:
        with scope(entity=activity.entity_id):
            run = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        wait_for(lambda: run_state(run.pk).state == PayRun.State.REVIEW)
        # after the review, a worker's bank account is changed to one that is not valid: the
        # SEPA file refuses it rather than paying the others without a word
        good_iban = Member.objects.get(pk=members[1].pk).iban
        Member.objects.filter(pk=members[1].pk).update(iban="BE00000000000000")
        client.force_login(officer)
        assert client.post(reverse("payroll:run_approve", args=[run.public_id])).status_code == 302
        wait_for(lambda: run_state(run.pk).state == PayRun.State.FAILED)
        failed = run_state(run.pk)
        assert failed.failed_step == PayRun.State.RENDERING and "invalid IBAN" in failed.message
        assert "BE00000000000000" not in failed.message
        assert failed.sepa_xml == ""
        with scopes_disabled():
            assert LedgerEntry.objects.filter(activity=activity, kind="salary_cost").count() == 0
            entry = AuditLogEntry.objects.get(action="payroll.run.failed")
            assert entry.data["step"] == "pay"
        # the sweep leaves it alone
        with scope(entity=activity.entity_id):
            resumed = services.payruns_resume(entity=activity.entity, stale_after=dt.timedelta(0))
        assert resumed == 0
        page = client.get(reverse("payroll:run", args=[run.public_id])).content.decode()
        assert "The payment file could not be built" in page and "Try again" in page
        # fixed, tried again: the file is built and the ledger posted, once per contract
        Member.objects.filter(pk=members[1].pk).update(iban=good_iban)
        assert client.post(reverse("payroll:run_retry", args=[run.public_id])).status_code == 302
        wait_for(lambda: run_state(run.pk).state == PayRun.State.POSTED)
    finally:
        stop_worker(proc)
    run = run_state(run.pk)
    assert run.message == "" and run.failed_step == "" and run.sepa_sha256
    assert run.sepa_xml.count("<CdtTrfTxInf>") == 2
    with scopes_disabled():
        assert LedgerEntry.objects.filter(activity=activity, kind="salary_cost").count() == 2
        assert AuditLogEntry.objects.get(action="payroll.run.retried").data["step"] == "pay"
