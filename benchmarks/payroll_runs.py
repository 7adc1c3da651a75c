"""Benchmark: a pay run of 11,000 payslips (issue 11: compute and persist in one process,
target < 10 s). Printed, never gating.

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/payroll_runs.py

It migrates the database it is given, seeds one entity, one Activity and BENCH_PAYSLIPS members
(IBAN and national number set, encrypted as in production) each with one declared contract of
last month (bulk inserts), then times, in this one process: collecting the run
(`payrun_create`), computing every worker's payslip chunk by chunk through `payrun_items_compute` (the
function the Celery chunk task calls: locks, batched reads, engine, snapshot, anomalies, bulk
writes and audit rows, one transaction a chunk of PAYROLL_RUN_CHUNK), the finish
(totals), approval, the PDFs of the first BENCH_PDFS payslips (300; the worker's task, called
in this process) and of the next BENCH_PDFS in render chunks (`payrun_render_chunk`), the SEPA file and the ledger postings (BENCH_AFTER=0: stop after the review). Everything is rolled back at the end.

It prints the issue's figure (compute and persist of 11,000: wall, this process's CPU, its
PostgreSQL backend's CPU) and a digest of what the computation stored (every payslip's amounts,
lines, parameter snapshot, tax profile and notes, every item's state and anomalies): run the
same script on two versions of the code to see that they store the same payslips.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")

PAYSLIPS = int(os.environ.get("BENCH_PAYSLIPS", "11000"))
# PDFs rendered in this process (the first ones), to see one PDF's cost without Celery.
RENDERED = min(PAYSLIPS, int(os.environ.get("BENCH_PDFS", "300")))
AFTER = os.environ.get("BENCH_AFTER", "1") != "0"
os.environ.setdefault("SMARTCOOP_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-payroll-"))


class Rollback(Exception):
    pass


QUERIES = [0]


def counter(execute, sql, params, many, context):
    QUERIES[0] += 1
    return execute(sql, params, many, context)


BACKEND = [0]  # the PostgreSQL backend's pid (same machine: its CPU is read from /proc)


def backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far; 0 when
    the database is not on this machine."""
    try:
        fields = Path(f"/proc/{BACKEND[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Step:
    """Wall time, this process's CPU time, its PostgreSQL backend's CPU time (the rest is
    waiting for the shared cores) and the number of SQL statements of one step."""

    def __init__(self, name: str, steps: dict) -> None:
        self.name = name
        self.profile = None
        if os.environ.get("BENCH_PROFILE") == name:  # BENCH_PROFILE=compute: cProfile a step
            import cProfile

            self.profile = cProfile.Profile()
        steps[name] = self

    def __enter__(self) -> Step:
        self.queries = QUERIES[0]
        self.pg = backend_cpu()
        self.cpu = time.process_time()
        self.wall = time.perf_counter()
        if self.profile is not None:
            self.profile.enable()
        return self

    def __exit__(self, *exc) -> None:
        if self.profile is not None:
            import pstats

            self.profile.disable()
            pstats.Stats(self.profile).sort_stats(
                os.environ.get("BENCH_PROFILE_SORT", "cumulative")
            ).print_stats(40)
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.pg = backend_cpu() - self.pg
        self.queries = QUERIES[0] - self.queries


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection, transaction
    from django_scopes import scope, scopes_disabled

    from activities.models import Activity, EmploymentContract
    from members.models import Member
    from payroll.runs import services
    from payroll.runs.tasks import payrun_render_chunk
    from payroll.tasks import payslip_render_pdf
    from smartcoop.core.models import LegalEntity
    from smartcoop.core.sectors import Sector

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    today = dt.date.today()
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=3)
    pay_date = today
    try:
        with transaction.atomic():
            with scopes_disabled():
                entity = LegalEntity.objects.create(
                    name="Bench employer",
                    slug="bench-payroll",
                    enterprise_number="0403170701",
                    iban="BE71096123456769",
                    is_employer=True,
                    country="BE",
                )
                t0 = time.perf_counter()
                members = Member.objects.bulk_create(
                    Member(
                        member_number=900_000 + n,
                        first_name="Worker",
                        last_name=f"{n:05d}",
                        email=f"w{n}@bench.example",
                        status=Member.Status.ACTIVE,
                        iban="BE68539007547034",
                        national_number=f"85{n:09d}",
                    )
                    for n in range(PAYSLIPS)
                )
                activity = Activity.objects.create(
                    entity=entity, name="Bench", sector=Sector.MUSIC, status="active",
                    coordinator=members[0],
                )  # fmt: skip
                EmploymentContract.objects.bulk_create(
                    EmploymentContract(
                        entity=entity, member=m, activity=activity, contract_type="employee",
                        tool="salary", status="declared", start_date=start, end_date=start,
                        hours=Decimal("8"), days=1, workplace_country="BE", function="Musician",
                        sector=Sector.MUSIC, gross_wage=Decimal("400.00") + (n % 300),
                        coefficient=Decimal("1.45"),
                        employer_cost=(Decimal("400.00") + (n % 300)) * Decimal("1.45"),
                        wage_due_on=pay_date,
                    )
                    for n, m in enumerate(members)
                )  # fmt: skip
                seeded = time.perf_counter() - t0
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                BACKEND[0] = cursor.fetchone()[0]
            steps: dict[str, Step] = {}
            with scope(entity=entity.pk), connection.execute_wrapper(counter):
                with Step("collect", steps):
                    run = services.payrun_create(entity=entity, pay_date=pay_date)
                with Step("compute", steps):
                    for chunk in services.payrun_compute_chunks(run=run):
                        services.payrun_items_compute(run_id=run.pk, item_ids=chunk)
                with Step("review", steps):
                    run = services.payrun_compute_finish(run_id=run.pk)
                digest = stored_digest(run.pk)
            if not AFTER:
                report(steps, seeded, load, digest, services, run, ())
                raise Rollback
            with scope(entity=entity.pk), connection.execute_wrapper(counter):
                with Step("approve", steps):
                    run = services.payrun_approve(run=run, actor=None)
                services.payrun_render(run_id=run.pk)
                rendered = run.items.exclude(payslip=None).values_list("payslip_id", flat=True)
                rendered = list(rendered[: 2 * RENDERED])
                with Step("PDFs", steps):  # in this process, without Celery
                    for payslip_id in rendered[:RENDERED]:
                        payslip_render_pdf.run(payslip_id=payslip_id, entity_id=entity.pk)
                chunked = rendered[RENDERED:]
                size = services._render_chunk_size()
                with Step("PDFs/chk", steps):  # the next ones as the run's render chunks do
                    for i in range(0, len(chunked), size):
                        payrun_render_chunk.run(chunked[i : i + size], entity_id=entity.pk)
                with Step("SEPA", steps):
                    services.payrun_pay(run_id=run.pk)
                with Step("ledger", steps):
                    services.payrun_post(run_id=run.pk)
                run.refresh_from_db()
            report(steps, seeded, load, digest, services, run, chunked)
            raise Rollback
    except Rollback:
        pass


def stored_digest(run_id: int) -> str:
    """md5 of what the computation stored, in member order (ids and times left out)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT md5(string_agg(concat_ws('|', m.member_number, p.category, p.period_start,
                p.period_end, p.status, p.gross, p.employee_deductions, p.net_taxable,
                p.net_social, p.net_pay, p.employer_contributions, p.employer_cost,
                p.student_hours_in_quota, p.lines::text, p.parameters::text,
                p.tax_profile::text, p.notes::text, i.state, i.anomalies::text,
                (SELECT string_agg(concat_ws(':', c.contract_id, c.gross, c.hours), ','
                                   ORDER BY c.contract_id)
                 FROM payroll_payslipcontract c WHERE c.payslip_id = p.id)),
                E'\\n' ORDER BY m.member_number))
            FROM payroll_payrunitem i JOIN members_member m ON m.id = i.member_id
            LEFT JOIN payroll_payslip p ON p.id = i.payslip_id
            WHERE i.run_id = %s
            """,
            [run_id],
        )
        return cursor.fetchone()[0]


def report(steps, seeded, load, digest, services, run, chunked) -> None:
    print(f"payslips: {PAYSLIPS} (seeded in {seeded:.1f} s), chunks of "
          f"{services._chunk_size()}; load average before: {load}")  # fmt: skip
    print(f"{'step':8} {'wall s':>7} {'CPU s':>6} {'PG CPU':>6} {'ms/payslip':>10} "
          f"{'queries':>8} {'q/payslip':>9} {'11,000: CPU+PG s':>16}")  # fmt: skip
    for name, step in steps.items():
        count = {"PDFs": RENDERED, "PDFs/chk": len(chunked)}.get(name, PAYSLIPS)
        if not count:
            continue
        scaled = (step.cpu + step.pg) * 11000 / count
        print(f"{name:8} {step.wall:7.2f} {step.cpu:6.2f} {step.pg:6.2f} "
              f"{1000 * step.wall / count:10.2f} {step.queries:8d} "
              f"{step.queries / count:9.3f} {scaled:16.1f}")  # fmt: skip
    compute = steps["compute"]
    scale = 11000 / PAYSLIPS
    print(f"issue 11, compute and persist 11,000 payslips in one process (target < 10 s wall): "
          f"{compute.wall * scale:.1f} s wall, {compute.cpu * scale:.2f} s Python CPU + "
          f"{compute.pg * scale:.2f} s PostgreSQL CPU = {(compute.cpu + compute.pg) * scale:.1f} "
          f"s of CPU (about the wall time on an idle machine: the process waits for its backend) — "
          f"{'met' if compute.wall * scale < 10 else 'NOT met'} at this load")  # fmt: skip
    print(f"stored payslips digest: {digest}")
    if "ledger" in steps:
        print(f"(PDFs: the first {RENDERED} payslips one at a time, typst, in this process; "
              f"PDFs/chk: the next {len(chunked)} in render chunks of "
              f"{services._render_chunk_size()})")  # fmt: skip
        persist = ("collect", "compute", "review", "approve", "SEPA", "ledger")
        wall = sum(steps[n].wall for n in persist) * scale
        busy = sum(steps[n].cpu + steps[n].pg for n in persist) * scale
        print(f"collect to ledger without PDFs {wall:.1f} s wall, {busy:.1f} s of CPU (this "
              f"process + its PostgreSQL backend: the wall time on an idle core)")  # fmt: skip
        print(f"SEPA file {len(run.sepa_xml) // 1024} KiB; state: {run.state}, "
              f"workers: {run.items_done}/{run.items_total}")  # fmt: skip
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
