"""Words for the engines' line codes (the worker's side), in the user's language."""

from django.utils.translation import gettext_lazy as _

LINE_LABELS = {
    "ssc_personal": _("Personal social security contribution"),
    "work_bonus_a": _("Work bonus (part A)"),
    "work_bonus_b": _("Work bonus (part B)"),
    "withholding_tax": _("Withholding tax"),
    "fiscal_work_bonus": _("Fiscal work bonus"),
    "special_ssc": _("Special social security contribution"),
    "student_solidarity": _("Student solidarity contribution"),
    "vieillesse_plafonnee": _("Old-age insurance, capped"),
    "vieillesse_deplafonnee": _("Old-age insurance, uncapped"),
    "agirc_arrco_t1": _("Supplementary pension AGIRC-ARRCO, tranche 1"),
    "agirc_arrco_t2": _("Supplementary pension AGIRC-ARRCO, tranche 2"),
    "ceg_t1": _("General balance contribution (CEG), tranche 1"),
    "ceg_t2": _("General balance contribution (CEG), tranche 2"),
    "cet": _("Technical balance contribution (CET)"),
    "apec": _("APEC (executives)"),
    "chomage": _("Unemployment insurance"),
    "chomage_intermittent": _("Unemployment insurance, performing arts (annexes 8 and 10)"),
    "csg_deductible": _("CSG, deductible"),
    "csg_non_deductible": _("CSG, non-deductible"),
    "crds": _("CRDS"),
    "pas": _("Income tax withheld at source"),
    "exit_holiday_simple": _("Exit holiday pay, single part"),
    "exit_holiday_double": _("Exit holiday pay, double part"),
    "exit_holiday_additional": _("Exit holiday pay, additional double part"),
    "exit_holiday_ssc": _("Social security contribution on exit holiday pay"),
    "exit_holiday_special_contribution": _("Special contribution on double holiday pay"),
    "exit_holiday_withholding": _("Withholding tax on exit holiday pay"),
}

TAX_CODES = frozenset({"withholding_tax", "fiscal_work_bonus", "pas", "exit_holiday_withholding"})

# Employer lines; an employer line `<code>_employer` not listed here reads as `<code>`.
EMPLOYER_LINE_LABELS = {
    "employer_basic": _("Employer social security contribution"),
    "employer_wage_moderation": _("Wage moderation contribution"),
    "structural_reduction": _("Structural reduction"),
    "holiday_fund_quarterly": _("Holiday fund contribution (quarterly)"),
    "holiday_fund_annual": _("Holiday fund contribution (annual)"),
    "maladie_employer": _("Health insurance"),
    "allocations_familiales": _("Family allowances"),
    "at_mp": _("Work accidents and occupational diseases"),
    "csa": _("Solidarity contribution for autonomy (CSA)"),
    "fnal": _("Housing fund (FNAL)"),
    "ags": _("Wage guarantee insurance (AGS)"),
    "reduction_generale": _("General reduction of employer contributions"),
    "chomage_cddu_surcharge": _("Unemployment insurance, surcharge on short CDDU"),
    "conges_spectacles": _("Paid holidays fund of the performing arts (Congés Spectacles)"),
    "exit_holiday_employer_basic": _("Employer social security contribution on exit holiday pay"),
    "exit_holiday_employer_wage_moderation": _("Wage moderation contribution on exit holiday pay"),
}
