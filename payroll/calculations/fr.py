"""France: gross -> net of one monthly payment (régime général, private sector), the employer's
contributions, the réduction générale and the prélèvement à la source.

Bases: tranche 1 = gross up to the PSS; tranche 2 = between 1 and 8 PSS; CSG/CRDS on 98.25 % of
the gross up to 4 PSS and 100 % above. Net imposable = gross - employee contributions - CSG
déductible; montant net social = gross - every employee contribution (CSG/CRDS included);
net à payer = net social - PAS.

PSS of the month, and its pro-rating -- the rule applied, and why:
- Part time: PSS x contractual hours / full time (BOSS "Assiette générale" ch. 6 §810, the
  default unless the worker waives it), never more than one PSS.
- A contract that starts or ends inside the month (a day, a week): PSS x calendar days covered /
  30 (the "method of thirtieths", URSSAF "L'assiette maximale"; BOSS April 2025 applies it to
  intermittents per paid day: one day = PSS / 30). Days of several contracts in the month are
  counted once.
- The SMIC of the réduction générale is pro-rated the same way: part-time ratio, or for an
  incomplete month the hours paid / 151.67 (CSS D241-7: SMIC for the hours paid).

Intermittents du spectacle on a CDDU (`PayInput.intermittent`; RULES.md Part II §5.2):
- Unemployment: the general employer rate, plus the annexes 8/10 contributions (employer 5 %,
  employee 2.40 %), plus the +0.50 pt surcharge of a CDDU of at most 3 months; on pay before the
  artists' DFS, up to 4 PSS.
- Congés Spectacles (caisse Audiens): employer 15.50 % of gross pay before any DFS.
- Artists (annexe 10): maladie, AT/MP, allocations familiales, vieillesse and FNAL at 70 % of the
  general rates (taux réduit, both sides); CSA, CSG/CRDS, unemployment and the retirement schemes
  at full rates. An artist engaged for fewer than 5 consecutive days has a ceiling of 12 x the
  hourly PSS per day worked (calendar days covered), instead of the thirtieths; never more than
  the monthly PSS. The lump-sum deduction for professional costs (DFS) applies only when the
  artist consented (`artist_costs`): it lowers the base of every contribution but
  unemployment, AGS, Congés Spectacles and CSG/CRDS (the retirement schemes follow the social
  security base: RULES flags it UNCERTAIN); the yearly cap is applied to this payment alone.
- The réduction générale (RGDU) is not applied to intermittents: RULES.md Part II §5.1 leaves
  its applicability to intermittents and to the artists' reduced rates open ("do not apply until
  checked"), and leaving it out can only overstate the employer's cost, never under-declare.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from .rules import Rules
from .types import (
    FR_CATEGORIES,
    ZERO,
    Intermittent,
    Line,
    PayInput,
    PayResult,
    Side,
    WorkerCategory,
)

CATEGORIES = FR_CATEGORIES  # the worker categories this engine computes
ONE = Decimal("1")
THIRTY = Decimal("30")
RATE_PLACES = Decimal("0.0001")


def _months_later(day: date, months: int) -> date:
    """The same day `months` months later (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def calendar_days_covered(pay: PayInput) -> int:
    """Calendar days of the month during which at least one contract runs (counted once)."""
    days, reached = 0, pay.period_start - timedelta(days=1)
    for start, end in sorted((c.start, c.end) for c in pay.contracts):
        start = max(start, pay.period_start, reached + timedelta(days=1))
        end = min(end, pay.period_end)
        if end >= start:
            days += (end - start).days + 1
            reached = end
    return days


def power(base: Decimal, exponent: Decimal) -> Decimal:
    """`base ** exponent`; for an exponent in quarters (the RGDU's 1.75) by an integer power and
    two square roots, each correctly rounded: the same coefficient to 4 decimals, a hundred
    times faster than Decimal's general power (a pay run computes thousands)."""
    quarters = exponent * 4
    if quarters == quarters.to_integral_value() and quarters > 0:
        return (base ** int(quarters)).sqrt().sqrt()
    return base**exponent


def month_length(pay: PayInput) -> int:
    return (pay.period_end - pay.period_start).days + 1


def _short_artist_engagement(pay: PayInput, rules: Rules) -> bool:
    if pay.intermittent != Intermittent.ARTIST:
        return False
    days = rules.value("artist_short_engagement_ceiling")["days"]
    return all((c.end - c.start).days + 1 < days for c in pay.contracts)


def pss_of_the_month(pay: PayInput, rules: Rules) -> tuple[Decimal, str]:
    pss, source = rules.entry("pss_monthly")
    if _short_artist_engagement(pay, rules):
        rule, rule_source = rules.entry("artist_short_engagement_ceiling")
        hourly, hourly_source = rules.entry("pss_hourly")
        ceiling = rule["hours"] * hourly * calendar_days_covered(pay)
        return min(rules.money(ceiling), pss), f"{rule_source}; {hourly_source}"
    ceiling = pss
    if pay.part_time_ratio is not None:
        ceiling = ceiling * min(pay.part_time_ratio, ONE)
    days = calendar_days_covered(pay)
    if days < month_length(pay):
        ceiling = ceiling * min(Decimal(days), THIRTY) / THIRTY
    return min(rules.money(ceiling), pss), source


def smic_coefficient(pay: PayInput, rules: Rules) -> Decimal:
    if pay.part_time_ratio is not None:
        return min(pay.part_time_ratio, ONE)
    if calendar_days_covered(pay) < month_length(pay):
        return min(pay.hours / rules.value("full_time_monthly_hours"), ONE)
    return ONE


def neutral_pas_rate(*, base: Decimal, rules: Rules) -> tuple[Decimal, str]:
    grid, source = rules.entry("pas_neutral_grid")
    rate = Decimal("0")
    for lower, band_rate in grid:
        if base >= lower:
            rate = band_rate
    return rate, source


def compute(pay: PayInput) -> PayResult:
    if pay.at_mp_rate is None:
        raise ValueError("the employer's work-accident (AT/MP) rate is needed for France")
    rules = Rules("FR", pay.on)
    gross = pay.gross
    pss, pss_source = pss_of_the_month(pay, rules)
    employee, employee_source = rules.entry("employee_rates")
    employer, employer_source = rules.entry("employer_rates")
    cadre = pay.category == WorkerCategory.CADRE
    intermittent = pay.intermittent
    artist = intermittent == Intermittent.ARTIST
    lines: list[Line] = []
    notes: list[str] = []

    # The base of the social security contributions: the gross, less the artists' DFS when
    # consented. Unemployment, AGS, Congés Spectacles and CSG/CRDS keep the gross.
    base = gross
    base_source = ""
    if pay.artist_costs is not None:
        dfs, dfs_source = rules.entry("artist_costs_deduction")
        deduction = min(rules.money(gross * dfs[str(pay.artist_costs)]), dfs["cap"])
        base = gross - deduction
        base_source = f"; DFS: {dfs_source}"
        notes.append("artist_costs_deduction")
    reduced = ONE
    reduced_source = ""
    if artist:
        reduced, reduced_source = rules.entry("artist_reduced_rate")

    t1 = min(base, pss)
    t2 = min(max(base - pss, ZERO), 7 * pss)
    up_to_4 = min(base, 4 * pss)
    up_to_8 = min(base, 8 * pss)
    gross_up_to_4 = min(gross, 4 * pss)

    def add(code: str, base: Decimal, rate: Decimal, side: Side, source: str) -> None:
        if base <= 0 or rate == 0:
            return
        lines.append(
            Line(
                code,
                f"payroll.line.{code}",
                rules.money(base),
                rate,
                rules.money(base * rate),
                side,
                source,
            )
        )

    def cut(rate: Decimal) -> Decimal:
        """The artists' reduced rate (70 % of the general one), exact: no rounding of rates."""
        return rate * reduced if artist else rate

    def why(source: str) -> str:
        return (f"{source}; taux réduit: {reduced_source}" if artist else source) + base_source

    capped_source = f"{employee_source}; PSS: {pss_source}"
    # Employee contributions
    add("vieillesse_plafonnee", t1, cut(employee["vieillesse_plafonnee"]), Side.EMPLOYEE,
        why(capped_source))  # fmt: skip
    add("vieillesse_deplafonnee", base, cut(employee["vieillesse_deplafonnee"]), Side.EMPLOYEE,
        why(employee_source))  # fmt: skip
    add("agirc_arrco_t1", t1, employee["agirc_arrco_t1"], Side.EMPLOYEE, capped_source)
    add("agirc_arrco_t2", t2, employee["agirc_arrco_t2"], Side.EMPLOYEE, capped_source)
    add("ceg_t1", t1, employee["ceg_t1"], Side.EMPLOYEE, capped_source)
    add("ceg_t2", t2, employee["ceg_t2"], Side.EMPLOYEE, capped_source)
    if base > pss:  # CET only when the pay exceeds the ceiling (ANI 17/11/2017 art. 37)
        add("cet", up_to_8, employee["cet"], Side.EMPLOYEE, capped_source)
    if cadre:
        add("apec", up_to_4, employee["apec"], Side.EMPLOYEE, capped_source)
    add("chomage", gross_up_to_4, employee["chomage"], Side.EMPLOYEE, employee_source)
    if intermittent is not None:
        annexes, annexes_source = rules.entry("intermittent_unemployment_rates")
        add("chomage_intermittent", gross_up_to_4, annexes["employee"], Side.EMPLOYEE,
            annexes_source)  # fmt: skip
    social = sum((line.amount for line in lines), ZERO)

    csg, csg_source = rules.entry("csg_crds")
    abated_limit = csg["abatement_pss"] * pss
    csg_base = min(gross, abated_limit) * (ONE - csg["abatement"]) + max(gross - abated_limit, ZERO)
    add("csg_deductible", csg_base, csg["deductible"], Side.EMPLOYEE, csg_source)
    add("csg_non_deductible", csg_base, csg["non_deductible"], Side.EMPLOYEE, csg_source)
    add("crds", csg_base, csg["crds"], Side.EMPLOYEE, csg_source)
    csg_deductible = sum((line.amount for line in lines if line.code == "csg_deductible"), ZERO)
    all_social = sum((line.amount for line in lines), ZERO)

    net_taxable = gross - social - csg_deductible
    net_social = gross - all_social

    # Prélèvement à la source: the personalised rate when the member gave one, else the neutral
    # grid on net imposable (less half a net SMIC for a contract of at most two months).
    profile = pay.tax_profile
    pas_base = max(net_taxable, ZERO)
    if profile.fr_pas_rate is not None:
        pas_rate = profile.fr_pas_rate
        pas_source = "CGI art. 204 H I: personalised rate sent by the DGFiP"
    else:
        if pay.short_contract:  # CGI 204 H III: the base itself is reduced
            abatement, abatement_source = rules.entry("pas_short_contract_abatement")
            pas_base = max(pas_base - abatement, ZERO)
        pas_rate, pas_source = neutral_pas_rate(base=pas_base, rules=rules)
        if pay.short_contract:
            pas_source = f"{pas_source}; {abatement_source}"
        notes.append("pas_neutral_rate")
    pas = rules.money(pas_base * pas_rate)
    if pas:
        lines.append(
            Line(
                "pas",
                "payroll.line.pas",
                pas_base,
                pas_rate,
                pas,
                Side.EMPLOYEE,
                pas_source,
            )
        )

    # Employer contributions
    smic_coef = smic_coefficient(pay, rules)
    cuts, cuts_source = rules.entry("low_wage_rate_cuts")
    hours_month = rules.value("full_time_monthly_hours")
    maladie_rate = employer["maladie"]
    af_rate = employer["allocations_familiales"]
    if cuts["maladie_cut"]:
        smic_2025 = cuts["smic_hourly"] * hours_month * smic_coef
        if gross <= cuts["maladie_smic"] * smic_2025:
            maladie_rate -= cuts["maladie_cut"]
        if gross < cuts["af_smic"] * smic_2025:
            af_rate -= cuts["af_cut"]
    add("maladie_employer", base, cut(maladie_rate), Side.EMPLOYER,
        why(f"{employer_source}; {cuts_source}"))  # fmt: skip
    add("allocations_familiales", base, cut(af_rate), Side.EMPLOYER,
        why(f"{employer_source}; {cuts_source}"))  # fmt: skip
    add("vieillesse_plafonnee_employer", t1, cut(employer["vieillesse_plafonnee"]), Side.EMPLOYER,
        why(employer_source))  # fmt: skip
    add("vieillesse_deplafonnee_employer", base, cut(employer["vieillesse_deplafonnee"]),
        Side.EMPLOYER, why(employer_source))  # fmt: skip
    add("at_mp", base, cut(pay.at_mp_rate), Side.EMPLOYER,
        why("CSS art. L242-5, D242-6-1: rate notified to the employer by the CARSAT"))  # fmt: skip
    add("csa", base, employer["csa"], Side.EMPLOYER, employer_source)
    small = pay.employer_headcount < 50
    if small:
        add("fnal", t1, cut(employer["fnal_under_50"]), Side.EMPLOYER, why(employer_source))
    else:
        add("fnal", base, cut(employer["fnal_50_and_more"]), Side.EMPLOYER, why(employer_source))
    add("chomage_employer", gross_up_to_4, employer["chomage"], Side.EMPLOYER, employer_source)
    if intermittent is not None:
        surcharge, surcharge_source = rules.entry("cddu_unemployment_surcharge")
        limit = int(surcharge["max_months"])
        if all(_months_later(c.start, limit) > c.end for c in pay.contracts):
            add("chomage_cddu_surcharge", gross_up_to_4, surcharge["rate"], Side.EMPLOYER,
                surcharge_source)  # fmt: skip
        add("chomage_intermittent_employer", gross_up_to_4, annexes["employer"], Side.EMPLOYER,
            annexes_source)  # fmt: skip
    add("ags", gross_up_to_4, employer["ags"], Side.EMPLOYER, employer_source)
    add("agirc_arrco_t1_employer", t1, employer["agirc_arrco_t1"], Side.EMPLOYER, employer_source)
    add("agirc_arrco_t2_employer", t2, employer["agirc_arrco_t2"], Side.EMPLOYER, employer_source)
    add("ceg_t1_employer", t1, employer["ceg_t1"], Side.EMPLOYER, employer_source)
    add("ceg_t2_employer", t2, employer["ceg_t2"], Side.EMPLOYER, employer_source)
    if base > pss:
        add("cet_employer", up_to_8, employer["cet"], Side.EMPLOYER, employer_source)
    if cadre:
        add("apec_employer", up_to_4, employer["apec"], Side.EMPLOYER, employer_source)
    if intermittent is not None:
        conges, conges_source = rules.entry("conges_spectacles_rate")
        add("conges_spectacles", gross, conges, Side.EMPLOYER, conges_source)

    coefficient = ZERO
    reduction_source = ""
    if intermittent is None:  # not for intermittents: see the module doc
        coefficient, reduction_source = reduction_generale_coefficient(
            gross=gross, smic_coefficient=smic_coef, small=small, rules=rules
        )
    if coefficient and gross > 0:
        employer_total = sum((line.amount for line in lines if line.side == Side.EMPLOYER), ZERO)
        reduction = min(rules.money(gross * coefficient), employer_total)
        lines.append(
            Line(
                "reduction_generale",
                "payroll.line.reduction_generale",
                gross,
                coefficient,
                -reduction,
                Side.EMPLOYER,
                reduction_source,
            )
        )

    employee_total = sum((line.amount for line in lines if line.side == Side.EMPLOYEE), ZERO)
    if profile.is_default:
        notes.append("tax_profile_default")
    return PayResult(
        country="FR",
        category=pay.category,
        gross=gross,
        lines=tuple(lines),
        net_taxable=net_taxable,
        net_social=net_social,
        net_pay=gross - employee_total,
        notes=tuple(notes),
        parameters=rules.used(),
    )


def reduction_generale_coefficient(
    *, gross: Decimal, smic_coefficient: Decimal, small: bool, rules: Rules
) -> tuple[Decimal, str]:
    """The coefficient of the réduction générale (CSS L241-13), rounded to 4 decimals."""
    rule, source = rules.entry("reduction_generale")
    hours_month = rules.value("full_time_monthly_hours")
    return reduction_coefficient(rule, hours_month, gross, smic_coefficient, small), source


def reduction_coefficient(
    rule: dict, hours_month: Decimal, gross: Decimal, smic_coefficient: Decimal, small: bool
) -> Decimal:
    """`reduction_generale_coefficient` from the rule's values (the batch engine reads them once
    a month)."""
    smic = rule["smic_hourly"] * hours_month * smic_coefficient
    if gross <= 0 or smic <= 0:
        return ZERO
    if rule["formula"] == "fillon":
        threshold = rule["threshold_smic"]
        maximum = rule["max_rate_under_50"] if small else rule["max_rate_50_and_more"]
        ratio = max(threshold * smic / gross - ONE, ZERO) / (threshold - ONE)
        return (maximum * min(ONE, ratio)).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)
    if rule["formula"] == "rgdu":
        if gross / smic >= rule["threshold_smic"]:
            return ZERO
        delta = rule["t_delta_under_50"] if small else rule["t_delta_50_and_more"]
        inner = max((rule["threshold_smic"] * smic / gross - ONE) / 2, ZERO)
        variable = (
            (delta * power(inner, rule["power"])).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)
            if inner
            else ZERO
        )
        return min(rule["t_min"] + variable, rule["t_min"] + delta)
    raise ValueError(f"unknown réduction générale formula {rule['formula']!r}")
