"""A pay run on real Celery workers: the worker process is killed (SIGKILL) in the middle of
the compute step, started again, and the run still ends with one payslip per worker, one
ledger entry per contract, one transfer and one PDF per payslip — nothing twice, nothing
lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings
from django_scopes import scope, scopes_disabled
from lxml import etree

from activities.models import LedgerEntry
from payroll.models import PayRun, PayRunItem, Payslip, PayslipContract, PayslipDocument
from payroll.runs import services
from smartcoop.celery import app
from tests.payroll.runs_setup import due_contract, funded_activity, worker

WORKERS = 24
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


def start_worker(name: str) -> subprocess.Popen:
    """A solo worker on the default queue, one payslip per task so there is a middle to kill."""
    url = urlparse(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunparse(url._replace(path=f"/{settings.DATABASES['default']['NAME']}")),
        "DJANGO_SETTINGS_MODULE": "smartcoop.settings.test",
        "PAYROLL_RUN_CHUNK": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "smartcoop", "worker", "-l", "warning", "-P",
         "solo", "-n", name, "-Q", app.conf.task_default_queue, "--without-gossip",
         "--without-mingle"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (app.control.inspect(destination=[name], timeout=1).ping() or {}).get(name):
            return proc
        assert proc.poll() is None, "the worker exited"
    proc.kill()
    pytest.fail("the worker did not answer")


def stop_worker(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def wait_for(predicate, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail("timed out")


def rendered(activity) -> int:
    with scopes_disabled():
        return PayslipDocument.objects.filter(payslip__entity=activity.entity).count()


def run_state(run_id):
    with scopes_disabled():
        return PayRun.objects.get(pk=run_id)


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_compute_loses_nothing_and_doubles_nothing():
    activity = funded_activity()
    contracts = []
    for _n in range(WORKERS):
        member = worker(activity)
        contracts.append(due_contract(activity, member, day=3))
    pay_date = max(c.wage_due_on for c in contracts)
    app.control.purge()
    proc = start_worker(f"payrun-a-{os.getpid()}@localhost")
    try:
        with scope(entity=activity.entity_id):
            run = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        wait_for(lambda: run_state(run.pk).items_done >= 3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        done_at_kill = run_state(run.pk).items_done
        assert done_at_kill < WORKERS, "the compute was over before the kill"
        # the worker's unfinished task never completes: the chord's callback will not come
        time.sleep(1)
        assert run_state(run.pk).state == PayRun.State.COMPUTING
        proc = start_worker(f"payrun-b-{os.getpid()}@localhost")
        # the resume sweep (beat) sends the step again; it computes what is still pending
        with scope(entity=activity.entity_id):
            from datetime import timedelta

            assert services.payruns_resume(entity=activity.entity, stale_after=timedelta(0)) == 1
        wait_for(lambda: run_state(run.pk).state == PayRun.State.REVIEW)
        with scope(entity=activity.entity_id):
            services.payrun_approve(run=run_state(run.pk), actor=None)
        wait_for(lambda: run_state(run.pk).state == PayRun.State.POSTED)
        # the render step sent every approved payslip to the PDF renderer: each has its PDF
        wait_for(lambda: rendered(activity) == WORKERS, seconds=120)
    finally:
        stop_worker(proc)
    with scope(entity=activity.entity_id):
        run = run_state(run.pk)
        assert run.items_done == WORKERS
        assert set(run.items.values_list("state", flat=True)) == {PayRunItem.State.APPROVED}
        payslips = Payslip.objects.filter(entity=activity.entity, pay_date=pay_date)
        assert payslips.count() == WORKERS
        assert payslips.values("member").distinct().count() == WORKERS
        assert PayslipContract.objects.filter(payslip__in=payslips).count() == WORKERS
        entries = LedgerEntry.objects.filter(activity=activity, kind="salary_cost")
        assert entries.count() == WORKERS
        assert entries.values("source_id").distinct().count() == WORKERS
        ids = etree.fromstring(run.sepa_xml.encode()).xpath(".//p:EndToEndId/text()", namespaces=NS)
        assert len(ids) == len(set(ids)) == WORKERS
