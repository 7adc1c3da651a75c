"""Benchmark: French gross -> net of 11,000 employees, our engine against OpenFisca-France on the
same inputs in the same run (issue 11, "Performance"), and the Belgian engine's cost a payslip.
Printed, never gating.

    .venv/bin/python benchmarks/payroll_fr_openfisca.py      (no database needed)

BENCH_PAYSLIPS employees (11,000 by default), one month (March 2026): gross from 0.3 to 4 PSS,
cadre and non-cadre, a third part time, employers of 8 to 250 staff, three AT/MP rates (the
inputs of tests/payroll/test_fr_openfisca.py, drawn with a fixed seed). Ours, every employee and
employer line, net social, net imposable, PAS and net paid: `compute_many` (the batch engine:
each month's parameters read once, its payments computed in columns) cold (first use in the
process: parameter tables loaded), then BENCH_REPEAT (3) times warm, each warm run measuring
three things interleaved: (a) `fr_batch.month_columns`, every line and net as exact
integer-cent columns (what OpenFisca returns as float arrays: the issue's comparison), (b)
`compute_many`, the same and the 11,000 `PayResult`s made from them (what a pay run stores),
and the Decimal column engine before the integers; in this process and in a
fresh process of its own (as OpenFisca's is: on a loaded machine a process that has run for a
minute gets less of the CPU than a new one, its wall time is not comparable), each run followed
by the garbage collector's first pass over the new results, timed apart (`compute_many` pauses
the collector while it builds them; the pass is what the caller pays next); `compute_pay` one
employee at a time; `compute_pay_reference` one at a time (the reference engine);
`fr_batch.compute` one at a time (the batch engine before its columns). OpenFisca-France:
`tests/payroll/openfisca_oracle.py --timing` in its own environment (`.venv-openfisca`, built by
`make openfisca`; SMARTCOOP_OPENFISCA_PYTHON may point at another interpreter), vectorised (one
simulation of all employees, numpy), its 27 variables, cold then BENCH_REPEAT times warm; run
twice: with the threads it starts by itself (OpenBLAS and numexpr pools: its CPU time is that of
all of them, its wall time gains from them), and held to one thread (OMP_NUM_THREADS and the
like = 1), as ours is. Wall and CPU (process time) of each, the load average beside them; the
summary compares the medians of the warm runs, ours with and without the collector's pass.
Both must agree to the cent on net social and net imposable (checked and printed), and the batch
results must equal the reference's (checked).

Belgium: BENCH_PAYSLIPS payslips of a pay run's mix (employees, manual workers, artists and
students, one to three contracts, any household, a few leavers with exit holiday pay), by
`compute_many` and by the reference, µs a payslip.
"""

from __future__ import annotations

import calendar
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://x/x")
os.environ.setdefault("CELERY_BROKER_URL", "redis://x:1/0")

EMPLOYEES = int(os.environ.get("BENCH_PAYSLIPS", "11000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))  # warm runs of each side; medians compared
# OpenFisca's process on one thread: numpy's BLAS (OpenBLAS), numexpr and any OpenMP pool.
ONE_THREAD = {
    name: "1"
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                 "NUMEXPR_NUM_THREADS", "NUMEXPR_MAX_THREADS")
}  # fmt: skip
MONTH = (2026, 3)
FULL_TIME = Decimal("151.67")


def cases(pss: Decimal) -> list[dict]:
    draw = random.Random(20261206)  # noqa: S311 (reproducible inputs, not secrets)
    made = []
    for index in range(EMPLOYEES):
        share = Decimal("0.3") + Decimal("3.7") * Decimal(draw.randint(0, 10_000)) / 10_000
        part_time = index % 3 == 1
        made.append(
            {
                "id": f"e{index:05d}",
                "month": f"{MONTH[0]}-{MONTH[1]:02d}",
                "gross": str((pss * share).quantize(Decimal("0.01"))),
                "cadre": index % 2 == 0,
                "part_time_hours": str(draw.choice([60, 80, 104, 121])) if part_time else None,
                "headcount": draw.choice([8, 20, 49, 50, 250]),
                "at_rate": draw.choice(["0.007", "0.0125", "0.0300"]),
            }
        )
    return made


def _timed(run):
    wall, cpu = time.perf_counter(), time.process_time()
    results = run()
    return time.perf_counter() - wall, time.process_time() - cpu, results


def french_inputs(inputs: list[dict]) -> list:
    from payroll.calculations import ContractPay, PayInput, WorkerCategory

    start = date(*MONTH, 1)
    end = date(*MONTH, calendar.monthrange(*MONTH)[1])
    pays = []
    for case in inputs:
        hours = Decimal(case["part_time_hours"]) if case["part_time_hours"] else FULL_TIME
        pays.append(
            PayInput(
                country="FR",
                category=WorkerCategory.CADRE if case["cadre"] else WorkerCategory.NON_CADRE,
                period_start=start,
                period_end=end,
                contracts=(ContractPay(case["id"], Decimal(case["gross"]), hours, start, end),),
                employer_headcount=case["headcount"],
                at_mp_rate=Decimal(case["at_rate"]),
                part_time_ratio=hours / FULL_TIME if case["part_time_hours"] else None,
            )
        )
    return pays


def ours(inputs: list[dict]) -> dict:
    from payroll.calculations import compute_many, compute_pay, compute_pay_reference, fr_batch

    pays = french_inputs(inputs)
    timings = {}
    timings["batch cold"] = _timed(lambda: compute_many(pays))
    results = timings["batch cold"][2]
    # The reference and the one-call runs first, each compared and then dropped, so that the
    # warm batch runs with no more objects alive than they did.
    timings["reference"] = _timed(lambda: [compute_pay_reference(pay) for pay in pays])
    if timings["reference"][2] != results:
        raise SystemExit("the batch engine's results differ from the reference's")
    timings["reference"] = (*timings["reference"][:2], None)
    timings["one call each"] = _timed(lambda: [compute_pay(pay) for pay in pays])
    if timings["one call each"][2] != results:
        raise SystemExit("compute_pay's results differ from compute_many's")
    timings["one call each"] = (*timings["one call each"][:2], None)

    def one_by_one() -> list:
        """The batch engine before its columns: `fr_batch.compute` a payment at a time, the
        collector paused as `compute_many` does."""
        plan = fr_batch.plan(pays[0].period_start)
        gc.disable()
        try:
            return [fr_batch.compute(pay, plan) for pay in pays]
        finally:
            gc.enable()

    timings["batch, 1 by 1"] = _timed(one_by_one)
    if timings["batch, 1 by 1"][2] != results:
        raise SystemExit("fr_batch.compute's results differ from compute_many's")
    timings["batch, 1 by 1"] = (*timings["batch, 1 by 1"][:2], None)
    timings["batch cold"] = (*timings["batch cold"][:2], None)
    return {
        "timings": timings,
        "results": {case["id"]: r for case, r in zip(inputs, results, strict=True)},
    }


def warm_runs(pays: list) -> dict:
    """REPEAT warm runs, each of three computations of the same month, interleaved:
    (a) `fr_batch.month_columns` — every line, net and the employer cost as exact integer-cent
    columns (numpy int64), what OpenFisca returns as float arrays; (b) `compute_many` — the
    same and the 11,000 `PayResult`s made from the columns (Decimal lines with sources and
    snapshots: what a pay run stores); (old) the Decimal column engine before the integers
    (`month_columns(..., integers=False).results()`). The collector paused during each, as
    `compute_many` does; after (b) and (old) its first pass over the new results is timed
    apart (what the caller pays next)."""
    from payroll.calculations import compute_many, fr_batch

    plan = fr_batch.plan(pays[0].period_start)
    runs: dict[str, list] = {"columns": [], "warm": [], "collector": [], "old": [],
                             "old collector": []}  # fmt: skip

    def timed(run) -> tuple:
        wall, cpu = time.perf_counter(), time.process_time()
        made = run()
        return (time.perf_counter() - wall, time.process_time() - cpu), made

    def paused(run):
        gc.disable()
        try:
            return run()
        finally:
            gc.enable()

    for _ in range(REPEAT):
        measured, month = timed(lambda: paused(lambda: fr_batch.month_columns(pays, plan)))
        runs["columns"].append(measured)
        del month
        gc.collect()
        for name, run in (
            ("warm", lambda: compute_many(pays)),
            ("old", lambda: paused(
                lambda: fr_batch.month_columns(pays, plan, integers=False).results())),
        ):  # fmt: skip
            measured, results = timed(run)
            runs[name].append(measured)
            collected, _ = timed(lambda: gc.collect(0))
            runs["collector" if name == "warm" else "old collector"].append(collected)
            del results
            gc.collect()
    return runs


def ours_alone() -> None:
    """`--ours-alone`: this process computes the batch once cold, then `warm_runs`, and writes
    the timings as JSON: ours in a process of its own, as OpenFisca's is (a process that has
    run for a minute is not scheduled like a new one on a loaded machine)."""
    import django

    django.setup()
    from payroll.calculations import compute_many
    from smartcoop.countries import param

    pays = french_inputs(cases(param("fr.pss_monthly", on=date(*MONTH, 1))))
    compute_many(pays)
    json.dump(warm_runs(pays), sys.stdout)


def ours_in_a_process() -> dict:
    completed = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, __file__, "--ours-alone"],
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    )
    return json.loads(completed.stdout)


def belgian_inputs() -> list:
    from payroll.calculations import (
        ContractPay,
        ExitHoliday,
        MaritalStatus,
        PayInput,
        TaxProfile,
        WorkerCategory,
        YearToDate,
    )

    draw = random.Random(20261207)  # noqa: S311 (reproducible inputs, not secrets)
    first = date(*MONTH, 1)
    last = date(*MONTH, calendar.monthrange(*MONTH)[1])
    categories = [WorkerCategory.EMPLOYEE] * 5 + [
        WorkerCategory.ARTIST,
        WorkerCategory.ARTIST,
        WorkerCategory.MANUAL_WORKER,
        WorkerCategory.STUDENT,
    ]
    made = []
    for index in range(EMPLOYEES):
        category = draw.choice(categories)
        contracts = []
        for number in range(draw.choice([1, 1, 1, 2, 3])):
            day = draw.randint(1, last.day)
            end = min(last, date(MONTH[0], MONTH[1], day) + timedelta(days=draw.choice([0, 0, 4])))
            contracts.append(
                ContractPay(
                    f"B{index:05d}-{number}",
                    Decimal(draw.randint(8_000, 450_000)) / 100,
                    Decimal(draw.randint(4, 170)),
                    date(MONTH[0], MONTH[1], day),
                    end,
                )
            )
        couple = draw.random() < 0.4
        profile = TaxProfile(
            marital_status=MaritalStatus.COUPLE if couple else MaritalStatus.SINGLE,
            partner_has_income=couple and draw.random() < 0.6,
            dependent_children=draw.choice([0, 0, 0, 1, 2, 3]),
            is_default=draw.random() < 0.3,
        )
        leaver = category == WorkerCategory.EMPLOYEE and draw.random() < 0.03
        made.append(
            PayInput(
                "BE",
                category,
                first,
                last,
                tuple(contracts),
                tax_profile=profile,
                year_to_date=YearToDate(Decimal(draw.randint(0, 700))),
                exit_holiday=ExitHoliday(Decimal("5000.00"), Decimal("0"), Decimal("9000.00"))
                if leaver
                else None,
            )
        )
    return made


def belgium() -> dict:
    from payroll.calculations import compute_many, compute_pay_reference

    pays = belgian_inputs()
    timings = {}
    timings["batch cold"] = _timed(lambda: compute_many(pays))
    results = timings["batch cold"][2]
    timings["reference"] = _timed(lambda: [compute_pay_reference(pay) for pay in pays])
    if timings["reference"][2] != results:
        raise SystemExit("the Belgian batch engine's results differ from the reference's")
    timings["reference"] = (*timings["reference"][:2], None)
    timings["batch warm"] = _timed(lambda: compute_many(pays))
    return {name: (wall, cpu) for name, (wall, cpu, _) in timings.items()}


def openfisca(inputs: list[dict], env: dict[str, str] | None = None) -> dict:
    interpreter = os.environ.get(
        "SMARTCOOP_OPENFISCA_PYTHON", str(ROOT / ".venv-openfisca" / "bin" / "python")
    )
    if not Path(interpreter).exists():
        raise SystemExit(f"OpenFisca's interpreter {interpreter} is missing: run `make openfisca`")
    completed = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [interpreter, str(ROOT / "tests" / "payroll" / "openfisca_oracle.py"), "--timing",
         "--repeat", str(REPEAT)],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    return json.loads(completed.stdout)


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    import django

    django.setup()
    from smartcoop.countries import param

    print(f"French gross -> net, {EMPLOYEES} employees, {MONTH[0]}-{MONTH[1]:02d}; 2 shared cores: "
          "wall times are noisy, compare CPU and ratios")  # fmt: skip
    inputs = cases(param("fr.pss_monthly", on=date(*MONTH, 1)))
    load = loadavg()
    measured = ours(inputs)
    mine, timings = measured["results"], measured["timings"]
    print(f"ours (Decimal, one thread; load average before: {load}, after: {loadavg()}):")
    for name, (wall, cpu, _) in timings.items():
        print(f"  {name:14} wall {wall:6.2f} s, CPU {cpu:6.2f} s ({1e6 * cpu / EMPLOYEES:4.0f} us "
              "CPU an employee)")  # fmt: skip
    pays = french_inputs(inputs)
    alone: dict[str, dict] = {}
    for where in ("in this process", "in a process of its own"):
        load = loadavg()
        runs_of_ours = alone[where] = (
            warm_runs(pays) if where == "in this process" else ours_in_a_process()
        )
        print(f"ours warm, {where} (load average before: {load}, after: {loadavg()}):")
        for index in range(REPEAT):
            (a_wall, a_cpu) = runs_of_ours["columns"][index]
            wall, cpu = runs_of_ours["warm"][index]
            gc_cpu = runs_of_ours["collector"][index][1]
            old_wall, old_cpu = runs_of_ours["old"][index]
            ogc_cpu = runs_of_ours["old collector"][index][1]
            print(
                f"  warm {index + 1} (a) integer columns        wall {a_wall:6.3f} s, CPU "
                f"{a_cpu:6.3f} s ({1e6 * a_cpu / EMPLOYEES:4.0f} us CPU an employee)"
            )
            print(
                f"         (b) + PayResults (compute_many) wall {wall:6.3f} s, CPU {cpu:6.3f} s "
                f"({1e6 * cpu / EMPLOYEES:4.0f} us); then the collector's pass: CPU "
                f"{gc_cpu:.3f} s"
            )
            print(f"         old Decimal column engine      wall {old_wall:6.3f} s, CPU "
                  f"{old_cpu:6.3f} s ({1e6 * old_cpu / EMPLOYEES:4.0f} us); then the "
                  f"collector's pass: CPU {ogc_cpu:.3f} s")  # fmt: skip
    del pays
    runs = {}
    for threads, env in (("its threads", None), ("one thread", ONE_THREAD)):
        load = loadavg()
        theirs = runs[threads] = openfisca(inputs, env)
        timing = theirs["timing"]
        print(f"OpenFisca-France {theirs['version']} (numpy, vectorised, {threads}: "
              f"{timing['threads']} in the process; load average before: {load}, after: "
              f"{loadavg()}): load {timing['load']:.2f} s")  # fmt: skip
        print(f"  cold           wall {timing['cold']:6.2f} s, CPU {timing['cpu_cold']:6.2f} s")
        for index, (wall, cpu) in enumerate(zip(timing["warm"], timing["cpu_warm"], strict=True)):
            print(f"  warm {index + 1}         wall {wall:6.2f} s, CPU {cpu:6.2f} s "
                  f"({1e6 * cpu / EMPLOYEES:4.0f} us CPU an employee)")  # fmt: skip
    theirs = runs["its threads"]

    def median(values: list[float]) -> float:
        return statistics.median(values)

    print(f"Warm, median of {REPEAT}, same inputs, same run (load average now {loadavg()}):")
    measured = alone["in a process of its own"]

    def medians(name: str) -> tuple[float, float]:
        return (median([wall for wall, _ in measured[name]]),
                median([cpu for _, cpu in measured[name]]))  # fmt: skip

    a_wall, a_cpu = medians("columns")
    b_wall, b_cpu = medians("warm")
    gc_cpu = medians("collector")[1]
    old_wall, old_cpu = medians("old")
    ogc_cpu = medians("old collector")[1]
    print(f"  ours (a process of its own): (a) integer-cent columns wall {a_wall:.3f} s, CPU "
          f"{a_cpu:.3f} s; (b) with the 11,000 PayResults wall {b_wall:.3f} s, CPU {b_cpu:.3f} s"
          f" (+{gc_cpu:.3f} s the collector's pass); old Decimal column engine wall "
          f"{old_wall:.3f} s, CPU {old_cpu:.3f} s (+{ogc_cpu:.3f} s)")  # fmt: skip
    print(f"  old Decimal columns / new: (a) CPU {old_cpu / a_cpu:.2f}x; (b) CPU "
          f"{old_cpu / b_cpu:.2f}x, with each one's collector's pass "
          f"{(old_cpu + ogc_cpu) / (b_cpu + gc_cpu):.2f}x")  # fmt: skip
    for threads, run in runs.items():
        wall, cpu = median(run["timing"]["warm"]), median(run["timing"]["cpu_warm"])
        print(f"  OpenFisca, {threads:12} wall {wall:.3f} s, CPU {cpu:.3f} s. OpenFisca / ours: "
              f"(a) wall {wall / a_wall:.2f}x, CPU {cpu / a_cpu:.2f}x "
              f"({'ours faster' if wall > a_wall and cpu > a_cpu else 'NOT faster on both'}); "
              f"(b) wall {wall / b_wall:.2f}x, CPU {cpu / b_cpu:.2f}x; (b) with the "
              f"collector's pass CPU {cpu / (b_cpu + gc_cpu):.2f}x")  # fmt: skip
    cold_ours = timings["batch cold"][0]
    timing = theirs["timing"]
    print(f"  cold, OpenFisca with its load / ours: wall "
          f"{(timing['load'] + timing['cold']) / cold_ours:.2f}x")  # fmt: skip
    here = median([cpu for _, cpu in alone["in this process"]["warm"]])
    print(f"compute_many warm in this process against the reference engine one at a time: CPU "
          f"{timings['reference'][1] / here:.1f}x less; against the batch engine one by one: "
          f"{timings['batch, 1 by 1'][1] / here:.2f}x less; results identical")  # fmt: skip
    differ = [
        (case, variable, value, theirs["results"][case["id"]][variable])
        for case in inputs
        for value, variable in (
            (mine[case["id"]].net_social, "salaire_net"),
            (mine[case["id"]].net_taxable, "salaire_imposable"),
        )
        if abs(value - Decimal(repr(theirs["results"][case["id"]][variable]))) > Decimal("0.02")
    ]
    print(f"net social and net imposable differing by more than 0.02: {len(differ)} of "
          f"{2 * EMPLOYEES}")  # fmt: skip
    for case, variable, value, other in differ[:4]:
        print(f"  {case['gross']} {'cadre' if case['cadre'] else 'non-cadre'} "
              f"part time {case['part_time_hours']} staff {case['headcount']}: {variable} "
              f"ours {value}, OpenFisca {other:.2f}")  # fmt: skip
    load = loadavg()
    belgian = belgium()
    print(f"Belgian payslips, {EMPLOYEES} of a pay run's mix (load average before: {load}, "
          f"after: {loadavg()}):")  # fmt: skip
    for name, (wall, cpu) in belgian.items():
        print(f"  {name:14} wall {wall:6.2f} s, CPU {cpu:6.2f} s ({1e6 * cpu / EMPLOYEES:4.0f} us "
              "CPU a payslip)")  # fmt: skip
    print(f"batch against the reference: CPU {belgian['reference'][1] / belgian['batch warm'][1]:.1f}x"
          " faster, results identical")  # fmt: skip


if __name__ == "__main__":
    if "--ours-alone" in sys.argv:
        ours_alone()
    else:
        main()
