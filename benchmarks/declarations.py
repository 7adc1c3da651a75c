"""Benchmark: social declarations (issue 12).

Not a test: run it against a throw-away PostgreSQL (it commits):

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/declarations.py

Prints, with the targets of issue 12 (figures only, never a pass/fail):
1. Dimona for BENCH_DIMONA (default 600, Smart's daily peak) contracts, three ways in the same
   run: one by one (each validation queues its Dimona IN, builds it and checks it against the
   ONSS schema in its transaction: the whole validation timed, the declarations' share in
   place), as one declarations batch (`services.contracts_declarations_queue` over as many
   validated contracts, then run again to show it creates nothing new), and as the adviser's
   "Validate selected" (`activities.services.contracts_validate`: validation, audit,
   notifications and the Dimona batch in one call, end to end, then run again); each followed
   by the file outbox's batch file, written (target < 5 s for the Dimona part). Per contract:
   CPU of this process and of its PostgreSQL backend, queries; the load average beside each.
   The contracts are made beforehand (not timed): two workers of the adviser's office with
   one-day contracts on successive days, so none overlaps.
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


class Meter:
    """Wall time, CPU of this process and of its PostgreSQL backend, and queries of a block."""

    def __init__(self, backend: int) -> None:
        self.backend = backend
        self.wall = self.cpu = self.db = 0.0
        self.queries = 0

    def __enter__(self) -> Meter:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._capture = CaptureQueriesContext(connection)
        self._capture.__enter__()
        self._begun = (time.perf_counter(), time.process_time(), process_cpu(self.backend))
        return self

    def __exit__(self, *exc) -> None:
        wall, cpu, db = self._begun
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        self.db += process_cpu(self.backend) - db
        self._capture.__exit__(*exc)
        self.queries += len(self._capture)

    def per(self, count: int) -> str:
        return (
            f"{self.cpu / count * 1000:.2f} ms CPU here and {self.db / count * 1000:.2f} ms in "
            f"PostgreSQL a contract, {self.queries / count:.2f} queries a contract"
        )


def bench_dimona() -> None:
    from django.db import connection
    from django_scopes import scope, scopes_disabled

    from activities import contract_events
    from activities.services import contract_request_salary, contract_validate, contracts_validate
    from declarations import builders, hooks, services
    from tests.activities.factories import ActivityFactory, credit
    from tests.factories import OfficeFactory, staff_user

    with scopes_disabled():
        office = OfficeFactory()
        activities: list = []
        for number in (1, 2):
            activity = ActivityFactory(**({"entity": activities[0].entity} if activities else {}))
            credit(activity, "900000.00")
            activity.coordinator.national_number = inss(number)
            activity.coordinator.office = office
            activity.coordinator.save()
            activities.append(activity)
    entity = activities[0].entity
    with scopes_disabled():
        adviser = staff_user("adviser", office=office, entities=[entity])
    first = dt.date.today() + dt.timedelta(days=10)
    made = time.perf_counter()

    def drafts(activity, count: int) -> list:
        # One worker, one-day contracts on successive days (none overlaps).
        return [
            contract_request_salary(
                activity=activity,
                member=activity.coordinator,
                contract_type="employee",
                start_date=first + dt.timedelta(days=n),
                end_date=first + dt.timedelta(days=n),
                hours=Decimal("8"),
                gross_wage=Decimal("150.00"),
                function="Sound engineer",
                actor=None,
            )
            for n in range(count)
        ]

    with scope(entity=entity.pk):
        contracts = drafts(activities[0], 2 * DIMONA)
        bulk = drafts(activities[1], DIMONA)
    one_by_one, batched = contracts[:DIMONA], contracts[DIMONA:]
    made = time.perf_counter() - made
    print(f"  set-up: {3 * DIMONA} draft contracts made in {seconds(made)} (not timed)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    # 1. Contract by contract, as an adviser's click on a contract page does: each validation
    # is a batch of one (its transition, audit row, the member's notification, its Dimona IN
    # built and schema-checked). The declarations' share is timed in place.
    declaring, validating = Meter(backend), Meter(backend)

    def timed(event, batch, actor) -> None:
        with declaring:
            hooks.on_contracts_event(event, batch, actor)

    original = list(contract_events._batch_listeners)
    contract_events._batch_listeners[:] = [
        timed if listener is hooks.on_contracts_event else listener for listener in original
    ]
    with scope(entity=entity.pk):
        with validating:
            for contract in one_by_one:
                contract_validate(contract=contract, actor=adviser)
        with Meter(backend) as written:
            _batch, count = services.outbox_batch(entity=entity, actor=None)
    assert count == DIMONA, count
    old_dimona = declaring.wall + written.wall
    old_total = validating.wall + written.wall
    print(
        f"  one by one ({loadavg()}): {DIMONA} contracts validated one at a time, each "
        f"queueing its Dimona IN: {seconds(validating.wall)} wall, {validating.per(DIMONA)}; "
        f"of which the Dimona: {seconds(declaring.wall)}, {declaring.per(DIMONA)}; batch file "
        f"written: {seconds(written.wall)}; validated and written {seconds(old_total)}"
    )

    # 2. The declarations batch alone: the same number of contracts validated without the
    # listener (not timed), then declared in one call, then the file written.
    contract_events._batch_listeners[:] = [
        listener for listener in original if listener is not hooks.on_contracts_event
    ]
    with scope(entity=entity.pk):
        for contract in batched:
            contract_validate(contract=contract, actor=adviser)
    contract_events._batch_listeners[:] = original
    with scope(entity=entity.pk):
        with Meter(backend) as built:
            created = services.contracts_declarations_queue(contracts=batched, actor=None)
        assert len(created) == DIMONA, len(created)
        with Meter(backend) as again:
            repeated = services.contracts_declarations_queue(contracts=batched, actor=None)
        assert repeated == [], len(repeated)
        with Meter(backend) as written:
            batch, count = services.outbox_batch(entity=entity, actor=None)
    started = time.perf_counter()
    errors = builders.schema_errors(batch)
    checked = time.perf_counter() - started
    assert count == DIMONA and not errors, (count, errors[:3])
    total = built.wall + written.wall
    print(
        f"  batch ({loadavg()}): {DIMONA} INs queued, built, schema-checked and stored in one "
        f"call: {seconds(built.wall)} wall, {built.per(DIMONA)} ({built.queries} queries for "
        f"the batch, {again.queries} for running it again: nothing new)"
    )
    print(
        f"  batch file of {count} forms ({len(batch) / 1e6:.2f} MB) written, all marked sent: "
        f"{seconds(written.wall)} ({seconds(written.cpu)} CPU here); checked again against the "
        f"schema: {seconds(checked)}"
    )
    print(
        f"  Dimona built and written: {seconds(total)} (target < 5 s; CPU {built.cpu + written.cpu:.2f} s "
        f"here + {built.db + written.db:.2f} s PostgreSQL), against {seconds(old_dimona)} one by "
        f"one ({old_dimona / total:.1f}x), {loadavg()}"
    )

    # 3. The adviser's "Validate selected": DIMONA contracts ticked, validated in one service
    # call (each by the single validation's rule, audited, the member told) and their Dimona IN
    # queued in one batch; then the file written.
    with scope(entity=entity.pk):
        with Meter(backend) as validated:
            result = contracts_validate(
                public_ids=[c.public_id for c in bulk], actor=adviser, entity=entity
            )
        assert len(result.validated) == DIMONA and not result.refused, len(result.refused)
        with Meter(backend) as again:
            rerun = contracts_validate(
                public_ids=[c.public_id for c in bulk], actor=adviser, entity=entity
            )
        assert rerun.validated == [] and len(rerun.refused) == DIMONA
        with Meter(backend) as written:
            _batch, count = services.outbox_batch(entity=entity, actor=None)
    assert count == DIMONA, count
    bulk_total = validated.wall + written.wall
    print(
        f"  validate selected ({loadavg()}): {DIMONA} contracts validated and their Dimona IN "
        f"queued in one call: {seconds(validated.wall)} wall, {validated.per(DIMONA)} "
        f"({validated.queries} queries; {again.queries} to run it again: nothing validated "
        f"twice); batch file written {seconds(written.wall)}"
    )
    print(
        f"  validated + Dimona built and written: {seconds(bulk_total)} (CPU "
        f"{validated.cpu + written.cpu:.2f} s here + {validated.db + written.db:.2f} s "
        f"PostgreSQL), against {seconds(old_total)} one by one (CPU "
        f"{validating.cpu:.2f} s + {validating.db:.2f} s; {old_total / bulk_total:.1f}x wall, "
        f"{(validating.cpu + validating.db) / (validated.cpu + validated.db):.1f}x CPU), "
        f"{loadavg()}"
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
