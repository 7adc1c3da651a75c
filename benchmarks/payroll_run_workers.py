"""Benchmark: a whole pay run on real Celery workers, one worker node against two (issue 11:
11,000 payslips including PDFs and the SEPA file in under 5 minutes with two worker
processes; print the scaling). Printed, never gating.

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/payroll_run_workers.py

It migrates the database it is given and seeds two employer entities, each paying the same
BENCH_PAYSLIPS members (2,000 by default; 11,000 is Smart's month) one declared contract of last month (on different
days: a member's contracts never overlap). Run 1 pays the
first entity with one worker node (`celery worker -n w1@%h --concurrency 1`), run 2 the second
with two (`-n w1@%h` and `-n w2@%h`, concurrency 1 each, as two hosts would run them). Each run
goes the production way: `payrun_create` (the compute chord: chunks of PAYROLL_RUN_CHUNK), the
run reaches review, `payrun_approve` (in this process, as the officer's request), then the
workers render every payslip's PDF (typst, PAYROLL_RENDER_CHUNK a task), build the SEPA
file and post the ledger. Printed per run: compute, approval, time to the SEPA file and the ledger (state
posted), time until the last PDF, the whole wall time, the scaling from one node to two, and
the CPU the worker processes and PostgreSQL spent (psutil), so that the time on idle cores
can be told from the time waiting for the shared ones.
The rows stay in the throw-away database.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")
os.environ.setdefault("SMARTCOOP_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-payslips-"))

# 2,000 by default so that `make bench` ends in minutes on a shared machine (two runs, each
# with every PDF); BENCH_PAYSLIPS=11000 measures the month.
PAYSLIPS = int(os.environ.get("BENCH_PAYSLIPS", "2000"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "3600"))


def seed(slug: str, enterprise_number: str, day: int, members, pay_date: dt.date):
    from activities.models import Activity, EmploymentContract
    from smartcoop.core.models import LegalEntity
    from smartcoop.core.sectors import Sector

    entity = LegalEntity.objects.create(
        name=f"Bench employer {slug}",
        slug=f"bench-workers-{slug}",
        enterprise_number=enterprise_number,
        iban="BE71096123456769",
        is_employer=True,
        country="BE",
    )
    activity = Activity.objects.create(
        entity=entity, name="Bench", sector=Sector.MUSIC, status="active", coordinator=members[0]
    )
    start = (pay_date.replace(day=1) - dt.timedelta(days=1)).replace(day=day)
    EmploymentContract.objects.bulk_create(
        EmploymentContract(
            entity=entity, member=m, activity=activity, contract_type="employee", tool="salary",
            status="declared", start_date=start, end_date=start, hours=Decimal("8"), days=1,
            workplace_country="BE", function="Musician", sector=Sector.MUSIC,
            gross_wage=Decimal("400.00") + (n % 300), coefficient=Decimal("1.45"),
            employer_cost=(Decimal("400.00") + (n % 300)) * Decimal("1.45"), wage_due_on=pay_date,
        )
        for n, m in enumerate(members)
    )  # fmt: skip
    return entity


def start_workers(names: list[str]) -> list[subprocess.Popen]:
    from smartcoop.celery import app

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "smartcoop.settings.test"}
    procs = []
    for name in names:
        command = [
            sys.executable, "-m", "celery", "-A", "smartcoop", "worker", "-l", "warning",
            "--concurrency", "1", "-n", name, "-Q", app.conf.task_default_queue,
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        procs.append(subprocess.Popen(command, env=env, cwd=ROOT))  # noqa: S603 (our command)
    deadline = time.monotonic() + 60
    waiting = set(names)
    while waiting and time.monotonic() < deadline:
        answers = app.control.inspect(destination=list(waiting), timeout=1).ping() or {}
        waiting -= set(answers)
        if any(p.poll() is not None for p in procs):
            raise SystemExit("a worker exited")
    if waiting:
        stop_workers(procs)
        raise SystemExit(f"workers {sorted(waiting)} did not answer")
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its live descendants and the children it has reaped (a
    Celery worker's pool process; PostgreSQL's backends, which come and go)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        times = proc.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in proc.children(recursive=True):
            try:
                child_times = child.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += child_times.user + child_times.system
    except psutil.NoSuchProcess:
        return 0.0
    return total


def postmaster_pid() -> int:
    """The PostgreSQL server's pid when it runs on this machine (its CPU is the database's
    share of the run), else 0."""
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        parent = psutil.Process(backend).parent()
    except psutil.NoSuchProcess:
        return 0
    return parent.pid if parent is not None else 0


def wait_for(condition, what: str) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > TIMEOUT:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.25)
    return time.perf_counter()


def pay(entity, pay_date: dt.date, nodes: int) -> dict[str, float]:
    from django_scopes import scope

    from payroll.models import PayRun, PayslipDocument
    from payroll.runs import services

    host = os.uname().nodename
    procs = start_workers([f"w{n}@{host}" for n in range(1, nodes + 1)])
    postmaster = postmaster_pid()
    cpu_workers = sum(tree_cpu(p.pid) for p in procs)
    cpu_db = tree_cpu(postmaster) if postmaster else 0.0
    try:
        with scope(entity=entity.pk):
            t0 = time.perf_counter()
            run = services.payrun_create(entity=entity, pay_date=pay_date)

            def state() -> str:
                return PayRun.objects.filter(pk=run.pk).values_list("state", flat=True)[0]

            reviewed = wait_for(lambda: state() == PayRun.State.REVIEW, "the review")
            run.refresh_from_db()
            run = services.payrun_approve(run=run, actor=None)
            approved = time.perf_counter()
            posted = wait_for(lambda: state() == PayRun.State.POSTED, "the ledger")
            rendered = wait_for(
                lambda: PayslipDocument.objects.filter(entity=entity).count() >= run.items_total,
                "the PDFs",
            )
            run.refresh_from_db()
            cpu_workers = sum(tree_cpu(p.pid) for p in procs) - cpu_workers
            cpu_db = (tree_cpu(postmaster) - cpu_db) if postmaster else 0.0
    finally:
        stop_workers(procs)
    assert run.items_done == PAYSLIPS, run.items_done
    return {
        "compute": reviewed - t0,
        "approve": approved - reviewed,
        "posted": posted - approved,
        "pdfs": rendered - approved,
        "total": max(posted, rendered) - t0,
        "cpu_workers": cpu_workers,
        "cpu_db": cpu_db,
    }


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django_scopes import scopes_disabled

    from members.models import Member
    from payroll.runs.services import _chunk_size, _render_chunk_size

    pay_date = dt.date.today()
    with scopes_disabled():
        members = Member.objects.bulk_create(
            Member(
                member_number=800_000 + n, first_name="Worker", last_name=f"{n:05d}",
                email=f"w{n}@bench-workers.example", status=Member.Status.ACTIVE,
                iban="BE68539007547034", national_number=f"85{n:09d}",
            )
            for n in range(PAYSLIPS)
        )  # fmt: skip
        one = seed("one", "0403170701", 3, members, pay_date)
        two = seed("two", "0202239951", 4, members, pay_date)  # no overlap
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    figures = {1: pay(one, pay_date, 1)}
    figures[2] = pay(two, pay_date, 2)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"pay run of {PAYSLIPS} payslips on real Celery workers (chunks of {_chunk_size()}, "
          f"{_render_chunk_size()} PDFs a task); load average {load} before, {load_after} after "
          f"(2 shared cores: figures are noisy)")  # fmt: skip
    print(f"{'':10} {'compute':>8} {'approve':>8} {'SEPA+ledger':>12} {'PDFs':>8} {'total':>8}")
    for nodes, f in figures.items():
        print(f"{nodes} node{'s' if nodes > 1 else ' '}:   {f['compute']:8.1f} {f['approve']:8.1f} "
              f"{f['posted']:12.1f} {f['pdfs']:8.1f} {f['total']:8.1f}  s")  # fmt: skip
    print(f"scaling 1 -> 2 worker nodes: {figures[1]['total'] / figures[2]['total']:.2f}x overall, "
          f"compute {figures[1]['compute'] / figures[2]['compute']:.2f}x, "
          f"PDFs {figures[1]['pdfs'] / figures[2]['pdfs']:.2f}x")  # fmt: skip
    for nodes, f in figures.items():
        print(f"{nodes} node{'s' if nodes > 1 else ' '}: CPU of the workers {f['cpu_workers']:.1f} s, "
              f"of PostgreSQL {f['cpu_db']:.1f} s ({1000 * (f['cpu_workers'] + f['cpu_db']) / PAYSLIPS:.1f} "
              f"ms a payslip, PDF included)")  # fmt: skip
    two = figures[2]
    print(
        f"11,000 payslips with two nodes at this rate: "
        f"{two['total'] * 11000 / PAYSLIPS / 60:.1f} min wall on this loaded machine "
        f"(target 5 min); on two idle cores, the CPU measured shared by both: "
        f"{(two['cpu_workers'] + two['cpu_db']) * 11000 / PAYSLIPS / 2 / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
