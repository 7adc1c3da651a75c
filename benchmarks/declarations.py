"""Benchmark: social declarations (issue 12).

Not a test: run it against a throw-away PostgreSQL (it commits):

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/declarations.py

Prints, with the targets of issue 12 (figures only, never a pass/fail):
1. Dimona for BENCH_DIMONA (default 600, Smart's daily peak) contracts: the validation of each
   contract, which queues its Dimona IN, builds it and checks it against the ONSS schema in the
   same transaction, then the file outbox's batch file of all of them, written and checked
   against the schema once more (target < 5 s for the Dimona part). The contracts are made
   beforehand (not timed): one worker with one-day contracts on successive days, so none
   overlaps.
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


def bench_dimona() -> None:
    from django_scopes import scope, scopes_disabled

    from activities.services import contract_request_salary, contract_validate
    from declarations import builders, services
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
            for n in range(DIMONA)
        ]
    made = time.perf_counter() - made
    print(f"  set-up: {DIMONA} draft contracts made in {seconds(made)} (not timed)")

    # The Dimona's own share of each validation: the declarations listener, timed in place (the
    # rest is the contract's transition, its audit row and the member's notification).
    from activities import contract_events
    from declarations import hooks

    spent = [0.0, 0.0]  # wall time, CPU time of this process (the database's is not in it)

    def timed(event, contract, actor) -> None:
        begun, cpu = time.perf_counter(), time.process_time()
        hooks.on_contract_event(event, contract, actor)
        spent[0] += time.perf_counter() - begun
        spent[1] += time.process_time() - cpu

    contract_events._listeners[:] = [
        timed if listener is hooks.on_contract_event else listener
        for listener in contract_events._listeners
    ]
    with scope(entity=entity.pk):
        started = time.perf_counter()
        for contract in contracts:
            contract_validate(contract=contract, actor=None)
        validated = time.perf_counter() - started
        built = spent[0]
        started = time.perf_counter()
        batch, count = services.outbox_batch(entity=entity, actor=None)
        written = time.perf_counter() - started
    started = time.perf_counter()
    errors = builders.schema_errors(batch)
    checked = time.perf_counter() - started
    assert count == DIMONA and not errors, (count, errors[:3])
    total = built + written
    print(
        f"  {DIMONA} contracts validated in {seconds(validated)}; of which each Dimona IN "
        f"queued, built, schema-checked and stored: {seconds(built)} "
        f"({built / DIMONA * 1000:.1f} ms each; {seconds(spent[1])} of it CPU here)"
    )
    print(
        f"  batch file of {count} forms ({len(batch) / 1e6:.2f} MB) written, all marked sent: "
        f"{seconds(written)}; checked again against the schema: {seconds(checked)}"
    )
    print(f"  Dimona built and written: {seconds(total)} (target < 5 s)")


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
