"""Benchmark: a pay run of 11,000 payslips (issue 11: compute and persist in one process,
target < 10 s). Printed, never gating.

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/payroll_runs.py

It migrates the database it is given, seeds one entity, one Activity and BENCH_PAYSLIPS members
(IBAN and national number set, encrypted as in production) each with one declared contract of
last month (bulk inserts), then times, in this one process: collecting the run
(`payrun_create`), computing every worker's payslip through `payrun_item_compute` (the same
function the Celery chunks call: locks, engine, snapshot, anomalies, audit row), the finish
(totals), approval, the SEPA file and the ledger postings. Everything is rolled back at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")

PAYSLIPS = int(os.environ.get("BENCH_PAYSLIPS", "11000"))


class Rollback(Exception):
    pass


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import transaction
    from django_scopes import scope, scopes_disabled

    from activities.models import Activity, EmploymentContract
    from members.models import Member
    from payroll.runs import services
    from smartcoop.core.models import LegalEntity
    from smartcoop.core.sectors import Sector

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
            with scope(entity=entity.pk):
                t0 = time.perf_counter()
                run = services.payrun_create(entity=entity, pay_date=pay_date)
                collected = time.perf_counter() - t0
                t0 = time.perf_counter()
                if os.environ.get("BENCH_PROFILE"):
                    import cProfile
                    import pstats

                    profile = cProfile.Profile()
                    profile.enable()
                for chunk in services.payrun_compute_chunks(run=run):
                    for item_id in chunk:
                        services.payrun_item_compute(item_id=item_id)
                computed = time.perf_counter() - t0
                if os.environ.get("BENCH_PROFILE"):
                    profile.disable()
                    pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
                t0 = time.perf_counter()
                run = services.payrun_compute_finish(run_id=run.pk)
                finished = time.perf_counter() - t0
                t0 = time.perf_counter()
                run = services.payrun_approve(run=run, actor=None)
                approved = time.perf_counter() - t0
                services.payrun_render(run_id=run.pk)
                t0 = time.perf_counter()
                services.payrun_pay(run_id=run.pk)
                paid = time.perf_counter() - t0
                t0 = time.perf_counter()
                services.payrun_post(run_id=run.pk)
                posted = time.perf_counter() - t0
                run.refresh_from_db()
            print(f"payslips: {PAYSLIPS} (seeded in {seeded:.1f} s)")
            print(f"collect:  {collected:6.2f} s")
            print(f"compute:  {computed:6.2f} s  ({1000 * computed / PAYSLIPS:.2f} ms a payslip; "
                  f"target 10 s for 11,000: {'met' if computed * 11000 / PAYSLIPS < 10 else 'NOT met'})")  # fmt: skip
            print(f"review:   {finished:6.2f} s (totals)")
            print(f"approve:  {approved:6.2f} s")
            print(f"SEPA:     {paid:6.2f} s ({len(run.sepa_xml) // 1024} KiB)")
            print(f"ledger:   {posted:6.2f} s")
            print(f"state: {run.state}, workers: {run.items_done}/{run.items_total}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
