"""Runs OpenFisca-France on payroll cases; executed by the interpreter of the OpenFisca
environment (`.venv-openfisca`, see Makefile), never imported by the application.

Reads a JSON list of cases on stdin: {"id", "month": "2026-03", "gross": "3000.00",
"cadre": bool, "part_time_hours": "105.00" or null, "headcount": int, "at_rate": "0.007"};
writes {"version": ..., "results": {id: {variable: value}}} on stdout.
"""

import json
import sys
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


def main() -> None:
    cases = json.load(sys.stdin)
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
    tbs = FranceTaxBenefitSystem()
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
    json.dump({"version": version("openfisca-france"), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
