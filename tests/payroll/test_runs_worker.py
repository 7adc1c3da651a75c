"""A pay run on real Celery workers: the worker process is killed (SIGKILL) in the middle of
the compute step (and, in the second test, in the PDF step), started again, and the run still
ends with one payslip per worker, one ledger entry per contract, one transfer and one PDF per
payslip — nothing twice, nothing lost."""

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
KILLED_WORKER_APP = "smartcoop-killed-worker-test"
LOCK_HOLDER_APP = "smartcoop-lock-holder-test"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


def start_worker(name: str, *, wait_for_answer: bool = True) -> subprocess.Popen:
    """A solo worker on the default queue, one payslip per task (compute and PDF) so there is
    a middle to kill. A solo worker answers a ping only between tasks: one started on a queue
    that leads it to a lock at once may never answer (the caller then waits for the lock)."""
    url = urlparse(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunparse(url._replace(path=f"/{settings.DATABASES['default']['NAME']}")),
        "DJANGO_SETTINGS_MODULE": "smartcoop.settings.test",
        "PAYROLL_RUN_CHUNK": "1",
        "PAYROLL_RENDER_CHUNK": "1",
        # names its database sessions, so that the test can end the ones a killed worker left
        "PGAPPNAME": KILLED_WORKER_APP,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "smartcoop", "worker", "-l", "warning", "-P",
         "solo", "-n", name, "-Q", app.conf.task_default_queue, "--without-gossip",
         "--without-mingle"],
        env=env,
    )  # fmt: skip
    if not wait_for_answer:
        return proc
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (app.control.inspect(destination=[name], timeout=1).ping() or {}).get(name):
            return proc
        if proc.poll() is not None:
            pytest.fail(f"the worker exited with {proc.returncode}")
    stop_worker(proc)
    pytest.fail("the worker did not answer within 60 s")


def kill_worker(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    end_worker_sessions()


def stop_worker(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    end_worker_sessions(LOCK_HOLDER_APP)


def end_worker_sessions(*also: str) -> None:
    """End the database sessions of a worker that is gone (and of the test's own lock holder):
    a session whose client was SIGKILLed while it waited on a lock lives on until PostgreSQL
    next reads its socket, and would hold the locks the test database's flush waits for (the
    whole run would hang)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = ANY(%s) AND pid <> pg_backend_pid()",
            [[KILLED_WORKER_APP, *also]],
        )


def wait_for(predicate, seconds: float = 60, run_id=None, activity=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    state = ""
    if run_id is not None:
        run = run_state(run_id)
        state += f"; run {run.state}, {run.items_done} computed"
    if activity is not None:
        state += f"; {rendered(activity)} PDFs"
    pytest.fail(f"timed out after {seconds} s{state}")


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
        wait_for(lambda: run_state(run.pk).items_done >= 3, run_id=run.pk)
        kill_worker(proc)
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
        wait_for(lambda: run_state(run.pk).state == PayRun.State.REVIEW, run_id=run.pk)
        with scope(entity=activity.entity_id):
            services.payrun_approve(run=run_state(run.pk), actor=None)
        wait_for(lambda: run_state(run.pk).state == PayRun.State.POSTED, run_id=run.pk)
        # the render step sent every approved payslip to the PDF renderer: each has its PDF
        wait_for(lambda: rendered(activity) == WORKERS, 120, run.pk, activity)
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


def _compute_in_process(activity, pay_date):
    """Collect and compute here (the compute step's kill is the test above); the worker only
    gets the steps after approval."""
    with scope(entity=activity.entity_id):
        run = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        for chunk in services.payrun_compute_chunks(run=run):
            for item_id in chunk:
                services.payrun_item_compute(item_id=item_id)
        return services.payrun_compute_finish(run_id=run.pk)


_counts: list[int] = []


def _queued() -> int:
    with app.connection_for_read() as conn:
        return conn.default_channel.client.llen(app.conf.task_default_queue)


def _settled(activity) -> bool:
    """The queue is empty and the number of PDFs has not changed for 2 s (polled every 50 ms):
    the restarted worker has rendered what it could (a worker slow to start must not pass for
    one that is done)."""
    _counts.append(rendered(activity) if _queued() == 0 else -len(_counts))
    return len(_counts) > 40 and len(set(_counts[-40:])) == 1


def _waiting_on_a_lock(cursor) -> bool:
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
        ["%payroll_payslipdocument%"],
    )
    return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_render_leaves_one_pdf_per_payslip_after_the_restart():
    """The worker is killed while it stores a payslip's PDF: the file is written, its row not
    committed (held back by another session's uncommitted row for the same payslip, so the
    kill lands there every time), and the tasks it had taken are lost with it. Restarted, and
    with the sweep sending the renderer again for the payslips still without a PDF, every
    approved payslip has exactly one document and one file, whose SHA-256 is the document's."""
    import datetime as dt
    import hashlib
    from pathlib import Path

    import psycopg
    from django.db import connection

    activity = funded_activity()
    contracts = [due_contract(activity, worker(activity), day=3) for _n in range(WORKERS)]
    pay_date = max(c.wage_due_on for c in contracts)
    run = _compute_in_process(activity, pay_date)
    assert run.state == PayRun.State.REVIEW
    app.control.purge()
    with scope(entity=activity.entity_id):
        run = services.payrun_approve(run=run, actor=None)
        payslips = list(Payslip.objects.filter(entity=activity.entity).order_by("pk"))
    assert len(payslips) == WORKERS
    blocked = payslips[WORKERS // 3]
    # Another session holds an uncommitted document row of one payslip: the worker that reaches
    # it writes the file, then waits on the unique index until it is killed.
    params = {
        k: v
        for k, v in connection.get_connection_params().items()
        if k in ("dbname", "user", "password", "host", "port")
    }
    holder = proc = None
    try:
        holder = psycopg.connect(**params, application_name=LOCK_HOLDER_APP)
        holder.execute(
            "INSERT INTO payroll_payslipdocument (public_id, created_at, updated_at, entity_id, "
            "payslip_id, language, pdf, sha256, renderer) VALUES (gen_random_uuid(), now(), "
            "now(), %s, %s, 'en', 'held.pdf', '', 'test')",
            [activity.entity_id, blocked.pk],
        )
        # the render tasks are queued: it takes them at once, and is soon held by the lock
        proc = start_worker(f"payrun-r-{os.getpid()}@localhost", wait_for_answer=False)
        with psycopg.connect(**params, autocommit=True) as watcher:
            wait_for(lambda: _waiting_on_a_lock(watcher.cursor()), 120, run.pk, activity)
        kill_worker(proc)
        holder.rollback()
        done_at_kill = rendered(activity)
        assert 0 < done_at_kill < WORKERS, f"killed after {done_at_kill} PDFs, not in the middle"
        proc = start_worker(f"payrun-s-{os.getpid()}@localhost")
        # the restarted worker renders what was left in the queue; not the task it was killed
        # in (taken, never acknowledged: back only after the broker's visibility timeout)
        wait_for(lambda: _settled(activity), 120, run.pk, activity)
        with scopes_disabled():
            assert not PayslipDocument.objects.filter(payslip=blocked).exists()
        # counted before the sweep: the running worker starts rendering what the sweep sends
        missing = WORKERS - rendered(activity)
        with scope(entity=activity.entity_id):
            resent = services.payslips_render_missing(
                entity=activity.entity, stale_after=dt.timedelta(0)
            )
        # at most what was missing (the worker may still finish a PDF it had taken), at least
        # the payslip the killed worker held
        assert 0 < resent <= missing, f"{resent} sent again for {missing} missing PDFs"
        wait_for(lambda: rendered(activity) == WORKERS, 120, run.pk, activity)
        time.sleep(1)  # the queue's own copies of the render tasks come and render nothing
    finally:
        if holder is not None:
            holder.close()
        if proc is not None:
            stop_worker(proc)
        end_worker_sessions(LOCK_HOLDER_APP)
    with scopes_disabled():
        documents = PayslipDocument.objects.filter(payslip__entity=activity.entity)
        assert documents.count() == WORKERS
        assert documents.values("payslip").distinct().count() == WORKERS
        assert run_state(run.pk).state == PayRun.State.POSTED
        # the payment file and the ledger, built while the killed worker rendered: once each
        payslips_now = Payslip.objects.filter(entity=activity.entity, pay_date=pay_date)
        assert payslips_now.count() == payslips_now.values("member").distinct().count() == WORKERS
        entries = LedgerEntry.objects.filter(activity=activity, kind="salary_cost")
        assert entries.count() == entries.values("source_id").distinct().count() == WORKERS
        xml = run_state(run.pk).sepa_xml.encode()
        ids = etree.fromstring(xml).xpath(".//p:EndToEndId/text()", namespaces=NS)
        assert len(ids) == len(set(ids)) == WORKERS
        media = Path(settings.MEDIA_ROOT)
        ours = {str(p.public_id) for p in payslips}
        files = {
            path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in media.glob("payroll/payslips/*/*.pdf")
            if path.stem.split("_")[0] in ours  # a second copy would be <public id>_<random>
        }
        assert len(files) == WORKERS  # no second copy of the file the killed worker wrote
        assert files == {d.pdf.name: d.sha256 for d in documents}
