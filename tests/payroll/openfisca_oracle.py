"""Runs OpenFisca-France on payroll cases; executed by the interpreter of the OpenFisca
environment (`.venv-openfisca`, see Makefile), never imported by the application.

Reads a JSON list of cases on stdin: {"id", "month": "2026-03", "gross": "3000.00",
"cadre": bool, "part_time_hours": "105.00" or null, "headcount": int, "at_rate": "0.007"};
writes {"version": ..., "results": {id: {variable: value}}} on stdout.
"""

import json
import os
import sys
import time
from importlib.metadata import version

from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_france import FranceTaxBenefitSystem

VARIABLES = (
    "vieillesse_plafonnee_salarie",
    "vieillesse_deplafonnee_salarie",
    "agirc_arrco_salarie",
    "contribution_equilibre_general_salarie",
    "contribution_equilibre_technique_salarie",
    "apec_salarie",
    "chomage_salarie",
    "csg_deductible_salaire",
    "csg_imposable_salaire",
    "crds_salaire",
    "salaire_imposable",
    "salaire_net",
    "mmid_employeur_net_allegement",
    "famille_net_allegement",
    "vieillesse_plafonnee_employeur",
    "vieillesse_deplafonnee_employeur",
    "accident_du_travail",
    "contribution_solidarite_autonomie",
    "fnal",
    "chomage_employeur",
    "ags",
    "agirc_arrco_employeur",
    "contribution_equilibre_general_employeur",
    "contribution_equilibre_technique_employeur",
    "apec_employeur",
    "allegement_general",
    "plafond_securite_sociale",
)


def simulate(tbs, cases: list[dict]) -> dict:
    individus, familles, foyers, menages = {}, {}, {}, {}
    for case in cases:
        month = case["month"]
        person = {
            "salaire_de_base": {month: float(case["gross"])},
            "categorie_salarie": {month: "prive_cadre" if case["cadre"] else "prive_non_cadre"},
            "effectif_entreprise": {month: case["headcount"]},
            "taux_accident_travail": {month: float(case["at_rate"])},
            "allegement_general_mode_recouvrement": {month: "anticipe"},
            "allegement_cotisation_maladie_mode_recouvrement": {month: "anticipe"},
            "allegement_cotisation_allocations_familiales_mode_recouvrement": {month: "anticipe"},
        }
        if case["part_time_hours"]:
            person["contrat_de_travail"] = {month: "temps_partiel"}
            person["heures_remunerees_volume"] = {month: float(case["part_time_hours"])}
        else:
            person["contrat_de_travail"] = {month: "temps_plein"}
        name = case["id"]
        individus[name] = person
        familles[f"f{name}"] = {"parents": [name]}
        foyers[f"ff{name}"] = {"declarants": [name]}
        menages[f"m{name}"] = {"personne_de_reference": [name]}
    simulation = SimulationBuilder().build_from_entities(
        tbs,
        {
            "individus": individus,
            "familles": familles,
            "foyers_fiscaux": foyers,
            "menages": menages,
        },
    )
    ids = list(individus)
    results: dict = {name: {} for name in ids}
    for month in sorted({case["month"] for case in cases}):
        for variable in VARIABLES:
            values = simulation.calculate(variable, month)
            for index, case_id in enumerate(ids):
                if cases[index]["month"] == month:
                    results[case_id][variable] = float(values[index])
    return results


def simulate_vectorised(tbs, cases: list[dict]) -> dict:
    """The same computation as `simulate`, the way OpenFisca is fast: one default simulation of
    len(cases) people whose inputs are set as numpy arrays, every variable computed once for
    all of them (one month only)."""
    import numpy as np

    (month,) = {case["month"] for case in cases}
    simulation = SimulationBuilder().build_default_simulation(tbs, len(cases))
    part_time = [case["part_time_hours"] is not None for case in cases]
    inputs = {
        "salaire_de_base": np.array([float(c["gross"]) for c in cases]),
        "categorie_salarie": np.array(
            ["prive_cadre" if c["cadre"] else "prive_non_cadre" for c in cases]
        ),
        "effectif_entreprise": np.array([c["headcount"] for c in cases]),
        "taux_accident_travail": np.array([float(c["at_rate"]) for c in cases]),
        "allegement_general_mode_recouvrement": np.array(["anticipe"] * len(cases)),
        "allegement_cotisation_maladie_mode_recouvrement": np.array(["anticipe"] * len(cases)),
        "allegement_cotisation_allocations_familiales_mode_recouvrement": np.array(
            ["anticipe"] * len(cases)
        ),
        "contrat_de_travail": np.array(
            ["temps_partiel" if p else "temps_plein" for p in part_time]
        ),
        "heures_remunerees_volume": np.array([float(c["part_time_hours"] or 0) for c in cases]),
    }
    for variable, values in inputs.items():
        simulation.set_input(variable, month, values)
    computed = {variable: simulation.calculate(variable, month) for variable in VARIABLES}
    return {
        case["id"]: {variable: float(computed[variable][index]) for variable in VARIABLES}
        for index, case in enumerate(cases)
    }


def main() -> None:
    """With `--timing` (benchmarks/payroll_fr_openfisca.py): computed by `simulate_vectorised`,
    with the seconds taken to load the tax-benefit system and to build and compute the
    simulation cold, then warm (`--repeat N` more simulations on the same inputs, each timed),
    wall and CPU of this process (the CPU of all its threads: numpy's BLAS and numexpr start
    their own; `threads` is how many the process had at the end)."""
    cases = json.load(sys.stdin)
    start = time.perf_counter()
    tbs = FranceTaxBenefitSystem()
    loaded = time.perf_counter()
    if "--timing" not in sys.argv:
        answer = {"version": version("openfisca-france"), "results": simulate(tbs, cases)}
    else:
        repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
        cpu_loaded = time.process_time()
        results = simulate_vectorised(tbs, cases)
        cold, cpu_cold = time.perf_counter(), time.process_time()
        warm, cpu_warm = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            simulate_vectorised(tbs, cases)
            warm.append(time.perf_counter() - wall)
            cpu_warm.append(time.process_time() - cpu)
        answer = {
            "version": version("openfisca-france"),
            "results": results,
            "timing": {
                "load": loaded - start,
                "cold": cold - loaded,
                "cpu_cold": cpu_cold - cpu_loaded,
                "warm": warm,
                "cpu_warm": cpu_warm,
                "threads": len(os.listdir("/proc/self/task")),
            },
        }
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
