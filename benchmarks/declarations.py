"""Benchmark: social declarations (issue 12).

Not a test: run it against a throw-away PostgreSQL (it commits):

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/declarations.py

Prints, with the targets of issue 12 (figures only, never a pass/fail):
1. Dimona for BENCH_DIMONA (default 600, Smart's daily peak) contracts, two ways in the same
   run: one by one (each validation queues its Dimona IN, builds it and checks it against the
   ONSS schema in its transaction: the declarations' share timed in place) and as one batch
   (`services.contracts_declarations_queue` over as many validated contracts, then run again to
   show it creates nothing new); each followed by the file outbox's batch file, written and
   checked against the schema once more (target < 5 s for the Dimona part). Per contract: CPU
   of this process and of its PostgreSQL backend, queries; the load average beside each. The
   contracts are made beforehand (not timed): one worker with one-day contracts on successive
   days, so none overlaps.
2. A DmfA of one quarter with BENCH_DMFA_WORKERS (default 30,000) worker lines (one employee
   occupation, contribution and deductions each; every tenth a student): the pure builder's XML
   and the schema check of `DmfAOriginal_20231.xsd` (target < 60 s). Reading the payslips from
   the database is not part of it (`tests/declarations/test_dmfa.py` covers that path).
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

DIMONA = int(os.environ.get("BENCH_DIMONA", "600"))
DMFA_WORKERS = int(os.environ.get("BENCH_DMFA_WORKERS", "30000"))


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def inss(number: int) -> str:
    """A national number with a valid check (born 1 January 1990, sequence `number`)."""
    base = f"900101{number % 1000:03d}"
    check = 97 - int(base) % 97
    return f"{base}{check:02d}"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process of this machine (the PostgreSQL backend)."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def loadavg() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def bench_dimona() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope, scopes_disabled

    from activities import contract_events
    from activities.services import contract_request_salary, contract_validate
    from declarations import builders, hooks, services
    from tests.activities.factories import ActivityFactory, credit

    with scopes_disabled():
        activity = ActivityFactory()
        credit(activity, "900000.00")
        member = activity.coordinator
        member.national_number = inss(1)
        member.save()
    entity = activity.entity
    first = dt.date.today() + dt.timedelta(days=10)
    made = time.perf_counter()
    with scope(entity=entity.pk):
        # One worker, one-day contracts on successive days (none overlaps): the first DIMONA for
        # the contract-by-contract path, the next DIMONA for the batch.
        contracts = [
            contract_request_salary(
                activity=activity,
                member=member,
                contract_type="employee",
                start_date=first + dt.timedelta(days=n),
                end_date=first + dt.timedelta(days=n),
                hours=Decimal("8"),
                gross_wage=Decimal("150.00"),
                function="Sound engineer",
                actor=None,
            )
            for n in range(2 * DIMONA)
        ]
    one_by_one, batched = contracts[:DIMONA], contracts[DIMONA:]
    made = time.perf_counter() - made
    print(f"  set-up: {2 * DIMONA} draft contracts made in {seconds(made)} (not timed)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    # 1. Contract by contract (a batch of one at each validation, as an adviser's click does):
    # the declarations listener timed in place (the rest is the contract's transition, its
    # audit row and the member's notification).
    spent = {"wall": 0.0, "cpu": 0.0, "db": 0.0, "queries": 0}

    def timed(event, contract, actor) -> None:
        begun, cpu, db = time.perf_counter(), time.process_time(), process_cpu(backend)
        with CaptureQueriesContext(connection) as queries:
            hooks.on_contract_event(event, contract, actor)
        spent["wall"] += time.perf_counter() - begun
        spent["cpu"] += time.process_time() - cpu
        spent["db"] += process_cpu(backend) - db
        spent["queries"] += len(queries)

    original = list(contract_events._listeners)
    contract_events._listeners[:] = [
        timed if listener is hooks.on_contract_event else listener for listener in original
    ]
    with scope(entity=entity.pk):
        for contract in one_by_one:
            contract_validate(contract=contract, actor=None)
        started, cpu = time.perf_counter(), time.process_time()
        batch, count = services.outbox_batch(entity=entity, actor=None)
        written = (time.perf_counter() - started, time.process_time() - cpu)
    assert count == DIMONA, count
    old_total = spent["wall"] + written[0]
    print(
        f"  one by one ({loadavg()}): {DIMONA} INs queued, built, schema-checked and stored at "
        f"validation: {seconds(spent['wall'])} wall, {spent['cpu'] / DIMONA * 1000:.1f} ms CPU "
        f"here and {spent['db'] / DIMONA * 1000:.1f} ms in PostgreSQL a contract, "
        f"{spent['queries'] / DIMONA:.1f} queries a contract; batch file written: "
        f"{seconds(written[0])}; total {seconds(old_total)}"
    )

    # 2. The batch: the same number of contracts validated without the listener (not timed),
    # then declared in one call, then the file written.
    contract_events._listeners[:] = [
        listener for listener in original if listener is not hooks.on_contract_event
    ]
    with scope(entity=entity.pk):
        for contract in batched:
            contract_validate(contract=contract, actor=None)
    contract_events._listeners[:] = original
    with scope(entity=entity.pk):
        begun, cpu, db = time.perf_counter(), time.process_time(), process_cpu(backend)
        with CaptureQueriesContext(connection) as queries:
            created = services.contracts_declarations_queue(contracts=batched, actor=None)
        built = time.perf_counter() - begun
        built_cpu, built_db = time.process_time() - cpu, process_cpu(backend) - db
        assert len(created) == DIMONA, len(created)
        with CaptureQueriesContext(connection) as again:
            repeated = services.contracts_declarations_queue(contracts=batched, actor=None)
        assert repeated == [], len(repeated)
        started, cpu = time.perf_counter(), time.process_time()
        batch, count = services.outbox_batch(entity=entity, actor=None)
        written = (time.perf_counter() - started, time.process_time() - cpu)
    started = time.perf_counter()
    errors = builders.schema_errors(batch)
    checked = time.perf_counter() - started
    assert count == DIMONA and not errors, (count, errors[:3])
    total = built + written[0]
    print(
        f"  batch ({loadavg()}): {DIMONA} INs queued, built, schema-checked and stored in one "
        f"call: {seconds(built)} wall, {built_cpu / DIMONA * 1000:.2f} ms CPU here and "
        f"{built_db / DIMONA * 1000:.2f} ms in PostgreSQL a contract, {len(queries)} queries "
        f"for the batch ({len(again)} for running it again: nothing new)"
    )
    print(
        f"  batch file of {count} forms ({len(batch) / 1e6:.2f} MB) written, all marked sent: "
        f"{seconds(written[0])} ({seconds(written[1])} CPU here); checked again against the "
        f"schema: {seconds(checked)}"
    )
    print(
        f"  Dimona built and written: {seconds(total)} (target < 5 s), against "
        f"{seconds(old_total)} one by one ({old_total / total:.1f}x), {loadavg()}"
    )


def bench_dmfa() -> None:
    from declarations import dmfa

    quarter = "20262"
    start, _end = dmfa.quarter_bounds(quarter)
    workers = []
    for n in range(DMFA_WORKERS):
        gross = Decimal("1234.56") + n % 500
        if n % 10 == 9:
            workers.append(
                dmfa.WorkerLine(
                    inss=inss(n),
                    worker_code="841",
                    occupations=(),
                    gross=gross,
                    contribution_basis=gross,
                    contributions=Decimal("0"),
                    work_bonus=Decimal("0"),
                    structural_reduction=Decimal("0"),
                    student_contribution=(gross * Decimal("0.0813")).quantize(Decimal("0.01")),
                    student_hours=Decimal("40"),
                )
            )
            continue
        occupation = dmfa.Occupation(
            start=start + dt.timedelta(days=n % 60),
            end=start + dt.timedelta(days=n % 60 + 2),
            joint_committee="200",
            hours=Decimal("24"),
            gross=gross,
        )
        workers.append(
            dmfa.WorkerLine(
                inss=inss(n),
                worker_code="495",
                occupations=(occupation,),
                gross=gross,
                contribution_basis=gross,
                contributions=(gross * Decimal("0.3807")).quantize(Decimal("0.01")),
                work_bonus=Decimal("12.34"),
                structural_reduction=Decimal("5.67"),
            )
        )
    data = dmfa.DmfaInput(
        reference="bench000000000000001",
        created_at=dt.datetime(2026, 7, 10, 9, 0),
        quarter=quarter,
        employer_noss="51357716",
        company_id="0403170701",
        workers=tuple(workers),
    )
    started = time.perf_counter()
    document = dmfa.dmfa_xml(data)
    built = time.perf_counter() - started
    started = time.perf_counter()
    errors = dmfa.dmfa_errors(document)
    checked = time.perf_counter() - started
    assert not errors, errors[:3]
    print(
        f"  DmfA of {DMFA_WORKERS} worker lines built: {seconds(built)} "
        f"({len(document) / 1e6:.1f} MB); schema-checked: {seconds(checked)}; "
        f"total {seconds(built + checked)} (target < 60 s)"
    )


def main() -> None:
    import django

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("Dimona (Belgium):")
    bench_dimona()
    print("DmfA (Belgium):")
    bench_dmfa()


if __name__ == "__main__":
    main()
