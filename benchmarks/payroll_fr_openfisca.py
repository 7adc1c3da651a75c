"""Benchmark: French gross -> net of 11,000 employees, our engine against OpenFisca-France on the
same inputs in the same run (issue 11, "Performance"). Printed, never gating.

    .venv/bin/python benchmarks/payroll_fr_openfisca.py      (no database needed)

BENCH_PAYSLIPS employees (11,000 by default), one month (March 2026): gross from 0.3 to 4 PSS,
cadre and non-cadre, a third part time, employers of 8 to 250 staff, three AT/MP rates (the
inputs of tests/payroll/test_fr_openfisca.py, drawn with a fixed seed). Ours: `compute_pay` of
each employee, every employee and employer line, net social, net imposable, PAS and net paid,
once cold (first use in the process: parameter tables loaded) and once warm. OpenFisca-France:
`tests/payroll/openfisca_oracle.py --timing` in its own environment (`.venv-openfisca`, built by
`make openfisca`; SMARTCOOP_OPENFISCA_PYTHON may point at another interpreter), vectorised (one
simulation of all employees, numpy), its 27 variables, cold then warm. Both must agree to the
cent on net social and net imposable (checked and printed).
"""

from __future__ import annotations

import calendar
import json
import os
import random
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://x/x")
os.environ.setdefault("CELERY_BROKER_URL", "redis://x:1/0")

EMPLOYEES = int(os.environ.get("BENCH_PAYSLIPS", "11000"))
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


def ours(inputs: list[dict]) -> tuple[float, float, dict]:
    from payroll.calculations import ContractPay, PayInput, WorkerCategory, compute_pay

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
    t0 = time.perf_counter()
    results = [compute_pay(pay) for pay in pays]
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = [compute_pay(pay) for pay in pays]
    warm = time.perf_counter() - t0
    return cold, warm, {case["id"]: r for case, r in zip(inputs, results, strict=True)}


def openfisca(inputs: list[dict]) -> dict:
    interpreter = os.environ.get(
        "SMARTCOOP_OPENFISCA_PYTHON", str(ROOT / ".venv-openfisca" / "bin" / "python")
    )
    if not Path(interpreter).exists():
        raise SystemExit(f"OpenFisca's interpreter {interpreter} is missing: run `make openfisca`")
    completed = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [interpreter, str(ROOT / "tests" / "payroll" / "openfisca_oracle.py"), "--timing"],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    )
    return json.loads(completed.stdout)


def main() -> None:
    import django

    django.setup()
    from smartcoop.countries import param

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    inputs = cases(param("fr.pss_monthly", on=date(*MONTH, 1)))
    cold, warm, mine = ours(inputs)
    theirs = openfisca(inputs)
    timing = theirs["timing"]
    differ = [
        (case, variable, value, theirs["results"][case["id"]][variable])
        for case in inputs
        for value, variable in (
            (mine[case["id"]].net_social, "salaire_net"),
            (mine[case["id"]].net_taxable, "salaire_imposable"),
        )
        if abs(value - Decimal(repr(theirs["results"][case["id"]][variable]))) > Decimal("0.02")
    ]
    print(f"French gross -> net, {EMPLOYEES} employees, {MONTH[0]}-{MONTH[1]:02d}; load average "
          f"before: {load} (2 shared cores: figures are noisy)")  # fmt: skip
    print(f"ours (Decimal, one employee at a time): cold {cold:6.2f} s, warm {warm:6.2f} s "
          f"({1e6 * warm / EMPLOYEES:.0f} us an employee)")  # fmt: skip
    print(f"OpenFisca-France {theirs['version']} (numpy, vectorised): load {timing['load']:.2f} s, "
          f"cold {timing['cold']:6.2f} s, warm {timing['warm']:6.2f} s")  # fmt: skip
    print(f"ratio warm OpenFisca / ours: {timing['warm'] / warm:.2f}x "
          f"({'ours faster' if warm < timing['warm'] else 'OpenFisca faster'}); cold, OpenFisca "
          f"with its load: {(timing['load'] + timing['cold']) / cold:.2f}x")  # fmt: skip
    print(f"net social and net imposable differing by more than 0.02: {len(differ)} of "
          f"{2 * EMPLOYEES}")  # fmt: skip
    for case, variable, value, other in differ[:4]:
        print(f"  {case['gross']} {'cadre' if case['cadre'] else 'non-cadre'} "
              f"part time {case['part_time_hours']} staff {case['headcount']}: {variable} "
              f"ours {value}, OpenFisca {other:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
