"""The French engine against OpenFisca-France, an engine nobody here wrote, run live.

48 cases generated with a fixed seed: gross from 0.3 to 4 PSS, cadre and non-cadre, full and part
time, employers under and over 50 staff, months of 2025 (May to November: the neutral PAS grid
of May 2025 is the first we hold) and 2026. Every employee and employer line OpenFisca computes
must equal ours to 0.02 EUR, as must net imposable and net social (OpenFisca's `salaire_net`).

One known difference, checked rather than hidden: OpenFisca 176.1.8 still has the AGS rate of
0.20 % (2024) where URSSAF applies 0.25 % since 1 Jan 2025; for AGS we compare the base
(OpenFisca's amount / 0.20 %) and our rate comes from our own dated parameter.

OpenFisca's dependencies clash with this project's pins (it wants pytest < 9, gunicorn < 22,
psutil < 6), so it lives in its own environment, `.venv-openfisca`, that `make test` builds from
`requirements-openfisca.lock`; SMARTCOOP_OPENFISCA_PYTHON may point at another interpreter.
"""

from __future__ import annotations

import calendar
import json
import os
import random
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from payroll.calculations import ContractPay, PayInput, WorkerCategory, compute_pay
from smartcoop.countries import param

ROOT = Path(__file__).resolve().parents[2]
ORACLE = Path(__file__).with_name("openfisca_oracle.py")
TOLERANCE = Decimal("0.02")
OPENFISCA_AGS_RATE = Decimal("0.002")

# our line codes (summed) -> OpenFisca variable
EMPLOYEE_LINES = {
    ("vieillesse_plafonnee",): "vieillesse_plafonnee_salarie",
    ("vieillesse_deplafonnee",): "vieillesse_deplafonnee_salarie",
    ("agirc_arrco_t1", "agirc_arrco_t2"): "agirc_arrco_salarie",
    ("ceg_t1", "ceg_t2"): "contribution_equilibre_general_salarie",
    ("cet",): "contribution_equilibre_technique_salarie",
    ("apec",): "apec_salarie",
    ("chomage",): "chomage_salarie",
    ("csg_deductible",): "csg_deductible_salaire",
    ("csg_non_deductible",): "csg_imposable_salaire",
    ("crds",): "crds_salaire",
}
EMPLOYER_LINES = {
    ("maladie_employer",): "mmid_employeur_net_allegement",
    ("allocations_familiales",): "famille_net_allegement",
    ("vieillesse_plafonnee_employer",): "vieillesse_plafonnee_employeur",
    ("vieillesse_deplafonnee_employer",): "vieillesse_deplafonnee_employeur",
    ("at_mp",): "accident_du_travail",
    ("csa",): "contribution_solidarite_autonomie",
    ("fnal",): "fnal",
    ("chomage_employer",): "chomage_employeur",
    ("agirc_arrco_t1_employer", "agirc_arrco_t2_employer"): "agirc_arrco_employeur",
    ("ceg_t1_employer", "ceg_t2_employer"): "contribution_equilibre_general_employeur",
    ("cet_employer",): "contribution_equilibre_technique_employeur",
    ("reduction_generale",): "allegement_general",
}
# February is left out: OpenFisca pro-rates the PSS of every month by its calendar days / 30, so a
# full February gets 28/30 of the ceiling, where the law gives a full month its full PSS (BOSS
# "Assiette générale" ch. 6: the thirtieths apply to workers who arrive or leave in the month).
MONTHS = [(2025, m) for m in range(5, 12)] + [(2026, m) for m in range(1, 12) if m != 2]


def generated_cases(count: int = 48) -> list[dict]:
    draw = random.Random(20260601)
    cases = []
    for index in range(count):
        year, month = MONTHS[index % len(MONTHS)]
        pss = param("fr.pss_monthly", on=date(year, month, 1))
        # spread evenly over 0.3-4 PSS, then jittered
        share = Decimal("0.3") + Decimal("3.7") * Decimal(index) / Decimal(count - 1)
        share += Decimal(draw.randint(-500, 500)) / Decimal(10000)
        share = min(max(share, Decimal("0.3")), Decimal("4"))
        part_time = index % 3 == 1
        hours = Decimal(draw.choice([60, 80, 104, 121.33])).quantize(Decimal("0.01"))
        cases.append(
            {
                "id": f"c{index:02d}",
                "month": f"{year}-{month:02d}",
                "gross": str((pss * share).quantize(Decimal("0.01"))),
                "cadre": index % 2 == 0,
                "part_time_hours": str(hours) if part_time else None,
                "headcount": draw.choice([8, 20, 49, 50, 250]),
                "at_rate": draw.choice(["0.007", "0.0125", "0.0300"]),
            }
        )
    return cases


def openfisca_python() -> str:
    return os.environ.get(
        "SMARTCOOP_OPENFISCA_PYTHON", str(ROOT / ".venv-openfisca" / "bin" / "python")
    )


@pytest.fixture(scope="module")
def openfisca_results():
    cases = generated_cases()
    interpreter = openfisca_python()
    assert Path(interpreter).exists(), (
        f"OpenFisca's interpreter {interpreter} is missing: run `make openfisca` (or set "
        "SMARTCOOP_OPENFISCA_PYTHON)"
    )
    completed = subprocess.run(
        [interpreter, str(ORACLE)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    answer = json.loads(completed.stdout)
    return cases, answer


def ours(case: dict):
    year, month = (int(part) for part in case["month"].split("-"))
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    full = Decimal("151.67")
    hours = Decimal(case["part_time_hours"]) if case["part_time_hours"] else full
    return compute_pay(
        PayInput(
            country="FR",
            category=WorkerCategory.CADRE if case["cadre"] else WorkerCategory.NON_CADRE,
            period_start=start,
            period_end=end,
            contracts=(ContractPay("C", Decimal(case["gross"]), hours, start, end),),
            employer_headcount=case["headcount"],
            at_mp_rate=Decimal(case["at_rate"]),
            part_time_ratio=hours / full if case["part_time_hours"] else None,
        )
    )


def test_the_cases_cover_what_the_issue_asks_for():
    cases = generated_cases()
    assert len(cases) >= 40
    shares = [
        Decimal(c["gross"]) / param("fr.pss_monthly", on=date.fromisoformat(c["month"] + "-01"))
        for c in cases
    ]
    assert min(shares) <= Decimal("0.35") and max(shares) >= Decimal("3.9")
    assert {c["cadre"] for c in cases} == {True, False}
    assert {c["part_time_hours"] is None for c in cases} == {True, False}
    assert {c["month"][:4] for c in cases} == {"2025", "2026"}


def test_every_line_equals_openfisca_france_to_two_cents(openfisca_results):
    cases, answer = openfisca_results
    mismatches = []
    compared = 0
    for case in cases:
        result = ours(case)
        theirs = answer["results"][case["id"]]
        for codes, variable in {**EMPLOYEE_LINES, **EMPLOYER_LINES}.items():
            mine = sum((result.amount(code) for code in codes), Decimal("0"))
            reference = abs(Decimal(repr(theirs[variable])))
            compared += 1
            if abs(abs(mine) - reference) > TOLERANCE:
                mismatches.append((case["id"], case["month"], case["gross"], variable, mine,
                                   reference))  # fmt: skip
        if case["cadre"]:  # OpenFisca charges employer APEC to non-cadres too (a TODO there)
            compared += 1
            reference = abs(Decimal(repr(theirs["apec_employeur"])))
            if abs(result.amount("apec_employer") - reference) > TOLERANCE:
                mismatches.append((case["id"], "apec_employeur", result.amount("apec_employer"),
                                   reference))  # fmt: skip
        for mine, variable in (
            (result.net_taxable, "salaire_imposable"),
            (result.net_social, "salaire_net"),
        ):
            compared += 1
            if abs(mine - Decimal(repr(theirs[variable]))) > TOLERANCE:
                mismatches.append((case["id"], variable, mine, theirs[variable]))
        ags = result.line("ags")
        their_ags = abs(Decimal(repr(theirs["ags"])))
        compared += 1
        if abs(ags.base * OPENFISCA_AGS_RATE - their_ags) > TOLERANCE:
            mismatches.append((case["id"], "ags base", ags.base, their_ags))
    assert compared >= 40 * 25
    assert not mismatches, f"OpenFisca-France {answer['version']} disagrees: {mismatches}"
