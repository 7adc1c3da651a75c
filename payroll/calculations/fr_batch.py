"""France, many payments at once: the same results as `fr.compute` (the reference), to the cent,
line for line, with the same sources and parameter snapshot, several times faster.

`fr.compute` reads each parameter, formats each line's source and rounds each base for every
payment. Here the parameters of a month are read once into a `_Plan` (the rates, the sources
as printed, a template of each line, the snapshots of the three sets of parameters a payment
can read), and each payment runs a straight sequence of Decimal operations in the reference's
order, rounding each distinct base once (`compute`); intermittents du spectacle too (CDDU,
annexes 8 and 10, Congés Spectacles, the artists' reduced rates, short-engagement ceiling and
DFS: a plan of each kind's lines, made on first use). The payments of a month together
(`compute_all`, what `compute_many` calls) go faster still: those of the same shape are
computed column by column, each Decimal operation applied by `map` over all of them, and a base
the same for the whole shape (the ceiling, 4 or 8 times it) is computed once. A month whose
parameters are incomplete is left to the reference, which names the missing parameter exactly
as before. The ordinary payments of a month whose figures fit int64 are computed before all
that as exact integer-cent columns (`fr_columns`, `month_columns`), their `PayResult`s made
from the columns; the Decimal columns take the rest. tests/payroll/test_batch.py checks the identity on generated payments, one by one
and in columns.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise, repeat
from operator import add, attrgetter, itemgetter, mul, sub
from typing import Any

import numpy as np

from . import fr, fr_columns
from .rules import MissingParameter, Rules, lookup, money_rule, plans_by_date, snapshots
from .types import (
    ZERO,
    Intermittent,
    Line,
    LineTemplate,
    PayInput,
    PayResult,
    Side,
    UsedParameter,
    WorkerCategory,
    line_template,
    result_from,
)

_new_tuple = tuple.__new__  # Line(...) without its __new__'s keyword handling

ONE = Decimal("1")
THIRTY = Decimal("30")
NO_RATE = Decimal("0")
EMPLOYEE = Side.EMPLOYEE
EMPLOYER = Side.EMPLOYER
CADRE = WorkerCategory.CADRE
PERSONAL_PAS_SOURCE = "CGI art. 204 H I: personalised rate sent by the DGFiP"

# What every payment of the fast path reads (fr.compute's order does not matter: a month
# missing one of them goes to the reference, which names the first it misses).
_ALWAYS = (
    "pss_monthly",
    "employee_rates",
    "employer_rates",
    "csg_crds",
    "low_wage_rate_cuts",
    "full_time_monthly_hours",
    "reduction_generale",
)


# The bases a line can be computed on (indices of `raws` in `compute`).
_T1, _BASE, _T2, _UP_TO_8, _UP_TO_4, _GROSS_UP_TO_4, _CSG = range(7)
Sequence = tuple[tuple[str, str, Decimal, Side, str, int], ...]


def _sequence(*parts: tuple[LineTemplate | None, int]) -> Sequence:
    """The lines to compute, those of a zero rate left out (the reference prints none)."""
    return tuple((*template, index) for template, index in parts if template is not None)  # type: ignore[misc]


_UNSET: Any = object()  # `_Plan.column_plan` not made yet (see `_integer_columns`)


@dataclass(frozen=True)
class _Plan:
    rules: Rules  # for the shared helpers (réduction générale): reads the same cached values
    exponent: Decimal
    rounding: str
    pss: Decimal
    employee: dict[str, Any]
    csg: dict[str, Any]
    cuts: dict[str, Any]
    hours_month: Decimal
    smic_base: Decimal | None  # cuts' hourly SMIC x monthly hours, when the cuts apply
    grid: tuple | None
    grid_lowers: list[Decimal] | None  # when strictly increasing: the band found by bisection
    grid_source: str
    abatement: Decimal | None
    short_pas_source: str
    templates: dict[str, LineTemplate | None]  # None: a zero rate, the line is left out
    # The lines of each part, in the reference's order: (code, label, rate, side, source, base
    # index); the employer's first part (maladie and family rates cut or not, vieillesse).
    maladie: dict[tuple[bool, bool], Sequence]
    at_mp: LineTemplate
    pas_source_personal: LineTemplate
    reduction_source: str
    used_personal: tuple[UsedParameter, ...]
    used_neutral: tuple[UsedParameter, ...]
    used_short: tuple[UsedParameter, ...] | None
    csg_lines: Sequence
    reduction_rule: dict[str, Any]
    socials: dict[tuple[bool, bool], Sequence]
    employers: dict[tuple[bool, bool, bool], Sequence]
    # Intermittents: each kind's month values, lines and snapshots, made on first use.
    intermittents: dict[tuple[bool, bool, str | None], _Intermittent | None] = field(
        default_factory=dict
    )
    # The same month in integers (`fr_columns.column_plan`), made on first use; None: a value
    # does not fit its scales.
    column_plan: Any = _UNSET

    def social(self, above: bool, cadre: bool) -> Sequence:
        """The employee's contributions before CSG/CRDS: CET above the ceiling, APEC for a
        cadre."""
        return self.socials[(above, cadre)]

    def employer(self, small: bool, above: bool, cadre: bool) -> Sequence:
        """The employer's contributions after AT/MP."""
        return self.employers[(small, above, cadre)]


def _make_plan(on: date) -> _Plan | None:
    found = {name: lookup(f"fr.{name}", on) for name in (*_ALWAYS, "pas_neutral_grid",
                                                          "pas_short_contract_abatement")}  # fmt: skip
    if any(found[name] is None for name in _ALWAYS):
        return None
    entries = {f"fr.{name}": entry for name in _ALWAYS if (entry := found[name]) is not None}
    value = {name: entry.value for name, entry in found.items() if entry is not None}
    source = {name: entry.source for name, entry in found.items() if entry is not None}
    employee, employer = value["employee_rates"], value["employer_rates"]
    employee_source, employer_source = source["employee_rates"], source["employer_rates"]
    capped_source = f"{employee_source}; PSS: {source['pss_monthly']}"
    cuts_source = f"{employer_source}; {source['low_wage_rate_cuts']}"

    def template(code: str, rate: Decimal, side: Side, src: str) -> LineTemplate | None:
        return None if rate == 0 else line_template(code, rate, side, src)

    templates = {
        "vieillesse_plafonnee": template("vieillesse_plafonnee", employee["vieillesse_plafonnee"],
                                         EMPLOYEE, capped_source),
        "vieillesse_deplafonnee": template("vieillesse_deplafonnee",
                                           employee["vieillesse_deplafonnee"], EMPLOYEE,
                                           employee_source),
        "csg_deductible": template("csg_deductible", value["csg_crds"]["deductible"], EMPLOYEE,
                                   source["csg_crds"]),
        "csg_non_deductible": template("csg_non_deductible", value["csg_crds"]["non_deductible"],
                                       EMPLOYEE, source["csg_crds"]),
        "crds": template("crds", value["csg_crds"]["crds"], EMPLOYEE, source["csg_crds"]),
        "chomage": template("chomage", employee["chomage"], EMPLOYEE, employee_source),
    }  # fmt: skip
    for code in ("agirc_arrco_t1", "agirc_arrco_t2", "ceg_t1", "ceg_t2", "cet", "apec"):
        templates[code] = template(code, employee[code], EMPLOYEE, capped_source)
    for code, rate_name in (
        ("vieillesse_plafonnee_employer", "vieillesse_plafonnee"),
        ("vieillesse_deplafonnee_employer", "vieillesse_deplafonnee"),
        ("csa", "csa"),
        ("fnal_small", "fnal_under_50"),
        ("fnal_large", "fnal_50_and_more"),
        ("chomage_employer", "chomage"),
        ("ags", "ags"),
        ("agirc_arrco_t1_employer", "agirc_arrco_t1"),
        ("agirc_arrco_t2_employer", "agirc_arrco_t2"),
        ("ceg_t1_employer", "ceg_t1"),
        ("ceg_t2_employer", "ceg_t2"),
        ("cet_employer", "cet"),
        ("apec_employer", "apec"),
    ):
        line_code = "fnal" if code.startswith("fnal_") else code
        templates[code] = template(line_code, employer[rate_name], EMPLOYER, employer_source)
    cuts = value["low_wage_rate_cuts"]
    maladie = {}
    for cut_maladie in (False, True):
        for cut_af in (False, True):
            maladie_rate = employer["maladie"]
            af_rate = employer["allocations_familiales"]
            if cut_maladie:
                maladie_rate -= cuts["maladie_cut"]
            if cut_af:
                af_rate -= cuts["af_cut"]
            maladie[(cut_maladie, cut_af)] = _sequence(
                (template("maladie_employer", maladie_rate, EMPLOYER, cuts_source), _BASE),
                (template("allocations_familiales", af_rate, EMPLOYER, cuts_source), _BASE),
                (templates["vieillesse_plafonnee_employer"], _T1),
                (templates["vieillesse_deplafonnee_employer"], _BASE),
            )
    hours_month = value["full_time_monthly_hours"]
    grid = value.get("pas_neutral_grid")
    abatement = value.get("pas_short_contract_abatement")
    used_personal = snapshots(entries)
    used_neutral = used_short = None
    if grid is not None:
        entries["fr.pas_neutral_grid"] = found["pas_neutral_grid"]  # type: ignore[assignment]
        used_neutral = snapshots(entries)
        if abatement is not None:
            entries["fr.pas_short_contract_abatement"] = found["pas_short_contract_abatement"]  # type: ignore[assignment]
            used_short = snapshots(entries)
    exponent, rounding = money_rule("FR")
    return _Plan(
        rules=Rules("FR", on),
        exponent=exponent,
        rounding=rounding,
        pss=value["pss_monthly"],
        employee=employee,
        csg=value["csg_crds"],
        cuts=cuts,
        hours_month=hours_month,
        smic_base=cuts["smic_hourly"] * hours_month if cuts["maladie_cut"] else None,
        grid=grid,
        grid_lowers=(
            [lower for lower, _ in grid]
            if grid and all(a[0] < b[0] for a, b in pairwise(grid))
            else None
        ),
        grid_source=source.get("pas_neutral_grid", ""),
        abatement=abatement,
        short_pas_source=(
            f"{source['pas_neutral_grid']}; {source['pas_short_contract_abatement']}"
            if grid is not None and abatement is not None
            else ""
        ),
        templates=templates,
        maladie=maladie,
        at_mp=line_template(
            "at_mp",
            None,
            EMPLOYER,
            "CSS art. L242-5, D242-6-1: rate notified to the employer by the CARSAT",
        ),
        pas_source_personal=line_template("pas", None, EMPLOYEE, PERSONAL_PAS_SOURCE),
        reduction_source=source["reduction_generale"],
        reduction_rule=value["reduction_generale"],
        used_personal=used_personal,
        used_neutral=used_neutral or used_personal,
        used_short=used_short,
        csg_lines=_sequence(
            (templates["csg_deductible"], _CSG),
            (templates["csg_non_deductible"], _CSG),
            (templates["crds"], _CSG),
        ),
        socials={
            (above, cadre): _sequence(
                (templates["vieillesse_plafonnee"], _T1),
                (templates["vieillesse_deplafonnee"], _BASE),
                (templates["agirc_arrco_t1"], _T1),
                (templates["agirc_arrco_t2"], _T2),
                (templates["ceg_t1"], _T1),
                (templates["ceg_t2"], _T2),
                *([(templates["cet"], _UP_TO_8)] if above else []),
                *([(templates["apec"], _UP_TO_4)] if cadre else []),
                (templates["chomage"], _GROSS_UP_TO_4),
            )
            for above in (False, True)
            for cadre in (False, True)
        },
        employers={
            (small, above, cadre): _sequence(
                (templates["csa"], _BASE),
                (templates["fnal_small"], _T1) if small else (templates["fnal_large"], _BASE),
                (templates["chomage_employer"], _GROSS_UP_TO_4),
                (templates["ags"], _GROSS_UP_TO_4),
                (templates["agirc_arrco_t1_employer"], _T1),
                (templates["agirc_arrco_t2_employer"], _T2),
                (templates["ceg_t1_employer"], _T1),
                (templates["ceg_t2_employer"], _T2),
                *([(templates["cet_employer"], _UP_TO_8)] if above else []),
                *([(templates["apec_employer"], _UP_TO_4)] if cadre else []),
            )
            for small in (False, True)
            for above in (False, True)
            for cadre in (False, True)
        },
    )


def _days_covered(pay: PayInput) -> int:
    if len(pay.contracts) != 1:
        return fr.calendar_days_covered(pay)
    contract = pay.contracts[0]
    start = max(contract.start, pay.period_start)
    end = min(contract.end, pay.period_end)
    return (end - start).days + 1 if end >= start else 0


def compute(pay: PayInput, the_plan: _Plan | None) -> PayResult:
    """One payment: the fast path when it applies, else the reference."""
    if the_plan is None or pay.at_mp_rate is None:
        return fr.compute(pay)
    if pay.intermittent is not None:
        return _compute_intermittent(pay, the_plan)
    profile = pay.tax_profile
    personal = profile.fr_pas_rate
    short = pay.short_contract
    if personal is None and (
        the_plan.grid is None or (short and the_plan.abatement is None)
    ):  # a grid or abatement missing on the date: the reference names it
        return fr.compute(pay)
    exponent, rounding = the_plan.exponent, the_plan.rounding
    lines: list[Line] = []
    append = lines.append
    notes: list[str] = []

    contracts = pay.contracts
    gross = ZERO + contracts[0].gross if len(contracts) == 1 else pay.gross
    pss = the_plan.pss
    ceiling = pss
    ratio = pay.part_time_ratio
    if ratio is not None:
        ceiling = ceiling * min(ratio, ONE)
    days = _days_covered(pay)
    partial = days < (pay.period_end - pay.period_start).days + 1
    if partial:
        ceiling = ceiling * min(Decimal(days), THIRTY) / THIRTY
    pss = min(ceiling.quantize(exponent, rounding), pss)
    cadre = pay.category == CADRE
    base = gross

    t1 = min(base, pss)
    t2 = min(max(base - pss, ZERO), 7 * pss)
    four = 4 * pss
    up_to_4 = min(base, four)
    up_to_8 = min(base, 8 * pss)
    gross_up_to_4 = min(gross, four)
    csg = the_plan.csg
    abated_limit = csg["abatement_pss"] * pss
    csg_base = min(gross, abated_limit) * (ONE - csg["abatement"]) + max(gross - abated_limit, ZERO)
    above = base > pss
    # The bases in the order of _T1 ... _CSG, and each rounded (only those a line will print).
    raws = (t1, base, t2, up_to_8, up_to_4, gross_up_to_4, csg_base)
    rounded = [raw.quantize(exponent, rounding) if raw > NO_RATE else raw for raw in raws]

    social = ZERO
    for code, label_key, rate, side, source, index in the_plan.social(above, cadre):
        raw = raws[index]
        if raw > NO_RATE:
            amount = (raw * rate).quantize(exponent, rounding)
            append(_new_tuple(Line, (code, label_key, rounded[index], rate, amount, side, source)))
            social += amount
    csg_deductible = ZERO
    all_social = social
    for code, label_key, rate, side, source, index in the_plan.csg_lines:
        raw = raws[index]
        if raw > NO_RATE:
            amount = (raw * rate).quantize(exponent, rounding)
            append(_new_tuple(Line, (code, label_key, rounded[index], rate, amount, side, source)))
            if code == "csg_deductible":
                csg_deductible = ZERO + amount
            all_social += amount

    net_taxable = gross - social - csg_deductible
    net_social = gross - all_social

    pas_base = max(net_taxable, ZERO)
    if personal is not None:
        pas_rate = personal
        pas_source = PERSONAL_PAS_SOURCE
        used = the_plan.used_personal
    else:
        if short:
            pas_base = max(pas_base - the_plan.abatement, ZERO)  # type: ignore[operator]
        lowers = the_plan.grid_lowers
        if lowers is not None:  # the last band whose lower bound the base reaches
            band = bisect_right(lowers, pas_base)
            pas_rate = the_plan.grid[band - 1][1] if band else NO_RATE  # type: ignore[index]
        else:
            pas_rate = NO_RATE
            for lower, band_rate in the_plan.grid:  # type: ignore[union-attr]
                if pas_base >= lower:
                    pas_rate = band_rate
        if short:
            pas_source = the_plan.short_pas_source
            used = the_plan.used_short  # type: ignore[assignment]
        else:
            pas_source = the_plan.grid_source
            used = the_plan.used_neutral
        notes.append("pas_neutral_rate")
    pas = (pas_base * pas_rate).quantize(exponent, rounding)
    employee_total = all_social
    if pas:
        append(_new_tuple(Line, ("pas", "payroll.line.pas", pas_base, pas_rate, pas, EMPLOYEE,
                                 pas_source)))  # fmt: skip
        employee_total = all_social + pas

    # Employer
    if ratio is not None:
        smic_coef = min(ratio, ONE)
    elif partial:
        smic_coef = min(pay.hours / the_plan.hours_month, ONE)
    else:
        smic_coef = ONE
    cut_maladie = cut_af = False
    smic_base = the_plan.smic_base
    if smic_base is not None:
        cuts = the_plan.cuts
        smic_2025 = smic_base * smic_coef
        cut_maladie = gross <= cuts["maladie_smic"] * smic_2025
        cut_af = gross < cuts["af_smic"] * smic_2025
    employer = ZERO
    for code, label_key, rate, side, source, index in the_plan.maladie[(cut_maladie, cut_af)]:
        raw = raws[index]
        if raw > NO_RATE:
            amount = (raw * rate).quantize(exponent, rounding)
            append(_new_tuple(Line, (code, label_key, rounded[index], rate, amount, side, source)))
            employer += amount
    at_mp_rate = pay.at_mp_rate
    if base > NO_RATE and at_mp_rate != NO_RATE:
        amount = (base * at_mp_rate).quantize(exponent, rounding)
        code, label_key, _, side, source = the_plan.at_mp
        append(
            _new_tuple(Line, (code, label_key, rounded[_BASE], at_mp_rate, amount, side, source))
        )
        employer += amount
    small = pay.employer_headcount < 50
    for code, label_key, rate, side, source, index in the_plan.employer(small, above, cadre):
        raw = raws[index]
        if raw > NO_RATE:
            amount = (raw * rate).quantize(exponent, rounding)
            append(_new_tuple(Line, (code, label_key, rounded[index], rate, amount, side, source)))
            employer += amount

    coefficient, reduction_source = fr.reduction_generale_coefficient(
        gross=gross, smic_coefficient=smic_coef, small=small, rules=the_plan.rules
    )
    if coefficient and gross > 0:
        reduction = min((gross * coefficient).quantize(exponent, rounding), employer)
        append(
            Line(
                "reduction_generale",
                "payroll.line.reduction_generale",
                gross,
                coefficient,
                -reduction,
                EMPLOYER,
                reduction_source,
            )
        )

    if profile.is_default:
        notes.append("tax_profile_default")
    return result_from(
        country="FR",
        category=pay.category,
        gross=gross,
        lines=tuple(lines),
        net_taxable=net_taxable,
        net_social=net_social,
        net_pay=gross - employee_total,
        notes=tuple(notes),
        parameters=used,
    )


# Intermittents du spectacle (CDDU): `fr.compute`'s lines, in its order, with its sources.
_GROSS = 7  # the base of the Congés Spectacles (index of `raws` after _CSG)
_AT_MP = -1  # the AT/MP line: the payment's own rate
_AT_MP_SOURCE = "CSS art. L242-5, D242-6-1: rate notified to the employer by the CARSAT"
IntermittentSequence = tuple[tuple[str, str, Decimal | None, Side, str, int], ...]


@dataclass(frozen=True)
class _Intermittent:
    """What the payments of one kind of intermittent read in a month: technician or artist,
    an artist's short engagement (fewer than 5 days), the DFS group consented to."""

    artist: bool
    short: bool
    reduced: Decimal  # the artists' share of the general rates (1 for a technician)
    ceiling_hours: Decimal | None  # short engagement: hours x hourly PSS a day covered
    hourly_pss: Decimal | None
    engagement_days: Decimal | None  # an artist engaged for fewer days has the short ceiling
    dfs: tuple[Decimal, Decimal] | None  # the DFS consented to: its rate and cap
    surcharge_months: int
    employee: dict[tuple[bool, bool], IntermittentSequence]  # (above, cadre)
    employer: dict[tuple[bool, bool, bool, bool, bool, bool], IntermittentSequence]
    used: dict[int, tuple[UsedParameter, ...] | None]  # by kind of withholding


def _make_intermittent(
    the_plan: _Plan, artist: bool, short: bool, dfs_group: str | None
) -> _Intermittent | None:
    """`fr.compute`'s lines for one kind of intermittent, or None when a parameter it reads is
    missing on the date (the reference then names it)."""
    on = the_plan.rules.on
    names = [*_ALWAYS[:-1], "intermittent_unemployment_rates", "cddu_unemployment_surcharge",
             "conges_spectacles_rate"]  # fmt: skip
    if artist:
        names += ["artist_short_engagement_ceiling", "artist_reduced_rate"]
    if short:
        names.append("pss_hourly")
    if dfs_group is not None:
        names.append("artist_costs_deduction")
    found = {name: lookup(f"fr.{name}", on) for name in names}
    if any(entry is None for entry in found.values()):
        return None
    value = {name: entry.value for name, entry in found.items() if entry is not None}
    source = {name: entry.source for name, entry in found.items() if entry is not None}
    employee, employer = value["employee_rates"], value["employer_rates"]
    employee_source, employer_source = source["employee_rates"], source["employer_rates"]
    pss_source = source["pss_monthly"]
    if short:
        pss_source = f"{source['artist_short_engagement_ceiling']}; {source['pss_hourly']}"
    capped_source = f"{employee_source}; PSS: {pss_source}"
    cuts_source = f"{employer_source}; {source['low_wage_rate_cuts']}"
    reduced = value["artist_reduced_rate"] if artist else ONE
    base_source = f"; DFS: {source['artist_costs_deduction']}" if dfs_group is not None else ""
    annexes, annexes_source = (
        value["intermittent_unemployment_rates"],
        source["intermittent_unemployment_rates"],
    )
    surcharge = value["cddu_unemployment_surcharge"]
    cuts = value["low_wage_rate_cuts"]

    def cut(rate: Decimal) -> Decimal:
        return rate * reduced if artist else rate

    def why(text: str) -> str:
        reduced_source = source.get("artist_reduced_rate", "")
        return (f"{text}; taux réduit: {reduced_source}" if artist else text) + base_source

    def line(code: str, rate: Decimal | None, side: Side, text: str, index: int) -> tuple:
        return (code, f"payroll.line.{code}", rate, side, text, index)

    def lines(*parts: tuple | None) -> IntermittentSequence:
        """Those of a zero rate left out (`fr.compute` prints none)."""
        return tuple(part for part in parts if part is not None and part[2] != 0)

    employee_lines = {
        (above, cadre): lines(
            line("vieillesse_plafonnee", cut(employee["vieillesse_plafonnee"]), EMPLOYEE,
                 why(capped_source), _T1),
            line("vieillesse_deplafonnee", cut(employee["vieillesse_deplafonnee"]), EMPLOYEE,
                 why(employee_source), _BASE),
            line("agirc_arrco_t1", employee["agirc_arrco_t1"], EMPLOYEE, capped_source, _T1),
            line("agirc_arrco_t2", employee["agirc_arrco_t2"], EMPLOYEE, capped_source, _T2),
            line("ceg_t1", employee["ceg_t1"], EMPLOYEE, capped_source, _T1),
            line("ceg_t2", employee["ceg_t2"], EMPLOYEE, capped_source, _T2),
            line("cet", employee["cet"], EMPLOYEE, capped_source, _UP_TO_8) if above else None,
            line("apec", employee["apec"], EMPLOYEE, capped_source, _UP_TO_4) if cadre else None,
            line("chomage", employee["chomage"], EMPLOYEE, employee_source, _GROSS_UP_TO_4),
            line("chomage_intermittent", annexes["employee"], EMPLOYEE, annexes_source,
                 _GROSS_UP_TO_4),
        )
        for above in (False, True)
        for cadre in (False, True)
    }  # fmt: skip
    employer_lines = {}
    for above in (False, True):
        for cadre in (False, True):
            for small in (False, True):
                for with_surcharge in (False, True):
                    for cut_maladie in (False, True):
                        for cut_af in (False, True):
                            maladie_rate = employer["maladie"]
                            af_rate = employer["allocations_familiales"]
                            if cut_maladie:
                                maladie_rate -= cuts["maladie_cut"]
                            if cut_af:
                                af_rate -= cuts["af_cut"]
                            key = (above, cadre, small, with_surcharge, cut_maladie, cut_af)
                            employer_lines[key] = lines(
                                line("maladie_employer", cut(maladie_rate), EMPLOYER,
                                     why(cuts_source), _BASE),
                                line("allocations_familiales", cut(af_rate), EMPLOYER,
                                     why(cuts_source), _BASE),
                                line("vieillesse_plafonnee_employer",
                                     cut(employer["vieillesse_plafonnee"]), EMPLOYER,
                                     why(employer_source), _T1),
                                line("vieillesse_deplafonnee_employer",
                                     cut(employer["vieillesse_deplafonnee"]), EMPLOYER,
                                     why(employer_source), _BASE),
                                line("at_mp", None, EMPLOYER, why(_AT_MP_SOURCE), _AT_MP),
                                line("csa", employer["csa"], EMPLOYER, employer_source, _BASE),
                                line("fnal", cut(employer["fnal_under_50"]), EMPLOYER,
                                     why(employer_source), _T1)
                                if small
                                else line("fnal", cut(employer["fnal_50_and_more"]), EMPLOYER,
                                          why(employer_source), _BASE),
                                line("chomage_employer", employer["chomage"], EMPLOYER,
                                     employer_source, _GROSS_UP_TO_4),
                                line("chomage_cddu_surcharge", surcharge["rate"], EMPLOYER,
                                     source["cddu_unemployment_surcharge"], _GROSS_UP_TO_4)
                                if with_surcharge
                                else None,
                                line("chomage_intermittent_employer", annexes["employer"],
                                     EMPLOYER, annexes_source, _GROSS_UP_TO_4),
                                line("ags", employer["ags"], EMPLOYER, employer_source,
                                     _GROSS_UP_TO_4),
                                line("agirc_arrco_t1_employer", employer["agirc_arrco_t1"],
                                     EMPLOYER, employer_source, _T1),
                                line("agirc_arrco_t2_employer", employer["agirc_arrco_t2"],
                                     EMPLOYER, employer_source, _T2),
                                line("ceg_t1_employer", employer["ceg_t1"], EMPLOYER,
                                     employer_source, _T1),
                                line("ceg_t2_employer", employer["ceg_t2"], EMPLOYER,
                                     employer_source, _T2),
                                line("cet_employer", employer["cet"], EMPLOYER, employer_source,
                                     _UP_TO_8)
                                if above
                                else None,
                                line("apec_employer", employer["apec"], EMPLOYER,
                                     employer_source, _UP_TO_4)
                                if cadre
                                else None,
                                line("conges_spectacles", value["conges_spectacles_rate"],
                                     EMPLOYER, source["conges_spectacles_rate"], _GROSS),
                            )  # fmt: skip
    # The parameters read, as `Rules.used` lists them: by kind of withholding.
    entries = {f"fr.{name}": entry for name, entry in found.items() if entry is not None}
    used: dict[int, tuple[UsedParameter, ...] | None] = {_PERSONAL: snapshots(entries)}
    grid = lookup("fr.pas_neutral_grid", on)
    abatement = lookup("fr.pas_short_contract_abatement", on)
    used[_NEUTRAL] = used[_SHORT] = None
    if grid is not None:
        entries["fr.pas_neutral_grid"] = grid
        used[_NEUTRAL] = snapshots(entries)
        if abatement is not None:
            entries["fr.pas_short_contract_abatement"] = abatement
            used[_SHORT] = snapshots(entries)
    rule: dict[str, Decimal] = value.get("artist_short_engagement_ceiling") or {}
    dfs: dict[str, Decimal] = value.get("artist_costs_deduction") or {}
    return _Intermittent(
        artist=artist,
        short=short,
        reduced=reduced,
        ceiling_hours=rule["hours"] if short else None,
        hourly_pss=value["pss_hourly"] if short else None,
        engagement_days=rule["days"] if artist else None,
        dfs=(dfs[dfs_group], dfs["cap"]) if dfs_group is not None else None,
        surcharge_months=int(surcharge["max_months"]),
        employee=employee_lines,
        employer=employer_lines,
        used=used,
    )


def _intermittent(
    the_plan: _Plan, artist: bool, short: bool, dfs_group: str | None
) -> _Intermittent | None:
    key = (artist, short, dfs_group)
    if key not in the_plan.intermittents:
        the_plan.intermittents[key] = _make_intermittent(the_plan, artist, short, dfs_group)
    return the_plan.intermittents[key]


def _compute_intermittent(pay: PayInput, the_plan: _Plan) -> PayResult:
    """An intermittent's payment, as `fr.compute` makes it (see its module doc)."""
    artist = pay.intermittent == Intermittent.ARTIST
    dfs_group = None if pay.artist_costs is None else str(pay.artist_costs)
    short = False
    if artist:
        kind = _intermittent(the_plan, True, False, dfs_group)
        if kind is None:
            return fr.compute(pay)
        days_rule = kind.engagement_days
        short = all((c.end - c.start).days + 1 < days_rule for c in pay.contracts)  # type: ignore[operator]
    kind = _intermittent(the_plan, artist, short, dfs_group)
    if kind is None:
        return fr.compute(pay)
    profile = pay.tax_profile
    personal = profile.fr_pas_rate
    withholding = _PERSONAL if personal is not None else _SHORT if pay.short_contract else _NEUTRAL
    used = kind.used[withholding]
    if used is None:  # a grid or abatement missing on the date: the reference names it
        return fr.compute(pay)
    exponent, rounding = the_plan.exponent, the_plan.rounding
    lines: list[Line] = []
    append = lines.append
    notes: list[str] = []

    gross = pay.gross
    pss = the_plan.pss
    days = _days_covered(pay)
    if short:
        ceiling = kind.ceiling_hours * kind.hourly_pss * days  # type: ignore[operator]
        pss = min(ceiling.quantize(exponent, rounding), pss)
    else:
        ceiling = pss
        if pay.part_time_ratio is not None:
            ceiling = ceiling * min(pay.part_time_ratio, ONE)
        if days < (pay.period_end - pay.period_start).days + 1:
            ceiling = ceiling * min(Decimal(days), THIRTY) / THIRTY
        pss = min(ceiling.quantize(exponent, rounding), pss)
    base = gross
    if kind.dfs is not None:
        dfs_rate, cap = kind.dfs
        deduction = min((gross * dfs_rate).quantize(exponent, rounding), cap)
        base = gross - deduction
        notes.append("artist_costs_deduction")
    cadre = pay.category == CADRE
    t1 = min(base, pss)
    t2 = min(max(base - pss, ZERO), 7 * pss)
    up_to_4 = min(base, 4 * pss)
    up_to_8 = min(base, 8 * pss)
    gross_up_to_4 = min(gross, 4 * pss)
    csg = the_plan.csg
    abated_limit = csg["abatement_pss"] * pss
    csg_base = min(gross, abated_limit) * (ONE - csg["abatement"]) + max(gross - abated_limit, ZERO)
    raws = (t1, base, t2, up_to_8, up_to_4, gross_up_to_4, csg_base, gross)
    above = base > pss

    social = ZERO
    for code, label_key, rate, side, source, index in kind.employee[(above, cadre)]:
        raw = raws[index]
        if raw > NO_RATE:
            amount = (raw * rate).quantize(exponent, rounding)  # type: ignore[operator]
            append(_new_tuple(Line, (code, label_key, raw.quantize(exponent, rounding), rate,
                                     amount, side, source)))  # fmt: skip
            social += amount
    csg_deductible = ZERO
    all_social = social
    for code, label_key, rate, side, source, index in the_plan.csg_lines:
        raw = raws[index]
        if raw > NO_RATE:
            amount = (raw * rate).quantize(exponent, rounding)
            append(_new_tuple(Line, (code, label_key, raw.quantize(exponent, rounding), rate,
                                     amount, side, source)))  # fmt: skip
            if code == "csg_deductible":
                csg_deductible = ZERO + amount
            all_social += amount
    net_taxable = gross - social - csg_deductible
    net_social = gross - all_social

    pas_base = max(net_taxable, ZERO)
    if personal is not None:
        pas_rate = personal
        pas_source = PERSONAL_PAS_SOURCE
    else:
        if withholding == _SHORT:
            pas_base = max(pas_base - the_plan.abatement, ZERO)  # type: ignore[operator]
            pas_source = the_plan.short_pas_source
        else:
            pas_source = the_plan.grid_source
        pas_rate = NO_RATE
        for lower, band_rate in the_plan.grid:  # type: ignore[union-attr]
            if pas_base >= lower:
                pas_rate = band_rate
        notes.append("pas_neutral_rate")
    pas = (pas_base * pas_rate).quantize(exponent, rounding)
    employee_total = all_social
    if pas:
        append(_new_tuple(Line, ("pas", "payroll.line.pas", pas_base, pas_rate, pas, EMPLOYEE,
                                 pas_source)))  # fmt: skip
        employee_total = all_social + pas

    cut_maladie = cut_af = False
    smic_base = the_plan.smic_base
    if smic_base is not None:
        if pay.part_time_ratio is not None:
            smic_coef = min(pay.part_time_ratio, ONE)
        elif days < (pay.period_end - pay.period_start).days + 1:
            smic_coef = min(pay.hours / the_plan.hours_month, ONE)
        else:
            smic_coef = ONE
        cuts = the_plan.cuts
        smic_2025 = smic_base * smic_coef
        cut_maladie = gross <= cuts["maladie_smic"] * smic_2025
        cut_af = gross < cuts["af_smic"] * smic_2025
    months = kind.surcharge_months
    with_surcharge = all(fr._months_later(c.start, months) > c.end for c in pay.contracts)
    at_mp_rate = pay.at_mp_rate * kind.reduced if kind.artist else pay.at_mp_rate  # type: ignore[operator]
    key = (above, cadre, pay.employer_headcount < 50, with_surcharge, cut_maladie, cut_af)
    for code, label_key, rate, side, source, index in kind.employer[key]:
        if index == _AT_MP:
            raw, rate = base, at_mp_rate
            if rate == 0:
                continue
        else:
            raw = raws[index]
        if raw > NO_RATE:
            amount = (raw * rate).quantize(exponent, rounding)  # type: ignore[operator]
            append(_new_tuple(Line, (code, label_key, raw.quantize(exponent, rounding), rate,
                                     amount, side, source)))  # fmt: skip

    if profile.is_default:
        notes.append("tax_profile_default")
    return result_from(
        country="FR",
        category=pay.category,
        gross=gross,
        lines=tuple(lines),
        net_taxable=net_taxable,
        net_social=net_social,
        net_pay=gross - employee_total,
        notes=tuple(notes),
        parameters=used,
    )


_quantize = Decimal.quantize
_set = object.__setattr__
_at_mp_rate = attrgetter("at_mp_rate")
_profile = attrgetter("tax_profile")
_personal_rate = attrgetter("fr_pas_rate")
_is_default = attrgetter("is_default")
# The notes of a result: by the kind of withholding, then whether the tax profile is the default.
_PERSONAL, _NEUTRAL, _SHORT = range(3)
_NOTES = (
    ((), ("tax_profile_default",)),
    (("pas_neutral_rate",), ("pas_neutral_rate", "tax_profile_default")),
    (("pas_neutral_rate",), ("pas_neutral_rate", "tax_profile_default")),
)
# A gross above threshold x SMIC x (1 + 10^-6) has no réduction générale, whatever the rounding
# of the formula's quotients (28 digits): its coefficient is not computed.
_MARGIN = Decimal("1.000001")
# Fewer payments of one shape than this are computed one by one (`compute`): columns of a
# few payments cost more than they save (measured: break-even at about 6 payments; 8: 12 %
# less CPU a payment, 32: 35 % less).
SMALLEST_COLUMN = 8

# Fewer ordinary payments than this in a month are computed by the Decimal columns: the
# integer columns' numpy calls cost more than they save (`month_columns`).
SMALLEST_INTEGERS = 100

Shape = tuple[Decimal, int, bool, bool, bool, bool, bool, int]


def _gather(values: list, positions: list[int]) -> tuple:
    """`values` at `positions`, in one C call."""
    if len(positions) == 1:
        return (values[positions[0]],)
    return itemgetter(*positions)(values)


class Month:
    """A month's payments computed (`month_columns`): the ordinary ones as exact integer-cent
    columns (`columns`, `fr_columns.MonthColumns`, at `positions`), the others' results already
    made by the Decimal engines (`others`: position -> result or refusal)."""

    def __init__(
        self,
        count: int,
        columns: fr_columns.MonthColumns | None,
        positions: list[int],
        others: dict[int, PayResult | MissingParameter | ValueError],
    ) -> None:
        self.count, self.columns, self.positions, self.others = count, columns, positions, others

    def results(self) -> list[PayResult | MissingParameter | ValueError]:
        """Every payment's result in the order given: those of the columns made now."""
        results: list[Any] = [None] * self.count
        if self.columns is not None:
            for position, made in zip(self.positions, self.columns.results(), strict=True):
                results[position] = made
        for position, other in self.others.items():
            results[position] = other
        return results


def compute_all(
    pays: list[PayInput],
    the_plan: _Plan | None,
    *,
    smallest: int = SMALLEST_COLUMN,
    smallest_integers: int = SMALLEST_INTEGERS,
) -> list[PayResult | MissingParameter | ValueError]:
    """Payments of one month (`plan(month)`), each result equal to `compute(pay, the_plan)`; a
    payment the engine refuses has its `MissingParameter` or `ValueError` in its place
    (`month_columns(...).results()`)."""
    return month_columns(
        pays, the_plan, smallest=smallest, smallest_integers=smallest_integers
    ).results()


def month_columns(
    pays: list[PayInput],
    the_plan: _Plan | None,
    *,
    smallest: int = SMALLEST_COLUMN,
    integers: bool = True,
    smallest_integers: int = SMALLEST_INTEGERS,
) -> Month:
    """Payments of one month (`plan(month)`), computed.

    The ordinary payments (no intermittent, a positive gross and ceiling) are computed as
    integer-cent columns (`fr_columns`: every line, the nets and the employer cost, exact) when
    their figures fit its scales (`fr_columns.admitted`) and there are at least
    `smallest_integers` of them (numpy's cost a call outweighs the gain below ~100 payments:
    measured, 25 payments 1.7x more CPU, 100 level, 200 1.2x less); their `PayResult`s are made
    when `Month.results()` is called. Those that do not fit (a gross above 1,000,000.00 or with more
    than two decimals, a rate with more than 6) and the months whose parameters do not, or
    with `integers=False`, go to the Decimal columns: put in shapes (the same ceiling, the gross
    in the same tranche of it — up to 1, 4, 8 PSS or more —, cadre or not, under 50 staff or
    not, low-wage cuts, an AT/MP rate, the kind of withholding), the payments of a shape (at
    least `smallest` of them) computed together, each Decimal operation `compute` makes applied
    by `map` over the column; fewer, and the other payments (intermittents), one by one."""
    others: dict[int, Any] = {}
    one_by_one: list[int] = []
    columns: fr_columns.MonthColumns | None = None
    admitted_positions: list[int] = []
    if the_plan is None:
        one_by_one = list(range(len(pays)))
    else:
        grosses: list[Any] = [None] * len(pays)
        shares: list[Any] = [None] * len(pays)
        ordinary: list[int] = []
        shape_of: list[Shape] = []
        ceilings: dict[tuple[Decimal | None, int | None], tuple[Decimal, Decimal, Decimal]] = {}
        plan_pss = the_plan.pss
        no_grid = the_plan.grid is None
        no_abatement = the_plan.abatement is None
        hours_month = the_plan.hours_month
        smic_base = the_plan.smic_base
        cuts = the_plan.cuts
        exponent, rounding = the_plan.exponent, the_plan.rounding
        for position, pay in enumerate(pays):
            personal = pay.tax_profile.fr_pas_rate
            if (
                pay.intermittent is not None
                or pay.artist_costs is not None
                or pay.at_mp_rate is None
                or (personal is None and (no_grid or (pay.short_contract and no_abatement)))
            ):
                one_by_one.append(position)
                continue
            contracts = pay.contracts
            first, last = pay.period_start, pay.period_end
            days: int | None = None  # the whole month
            if len(contracts) == 1:
                contract = contracts[0]
                gross = ZERO + contract.gross
                if contract.start > first or contract.end < last:
                    days = _days_covered(pay)
            else:
                gross = pay.gross
                days = _days_covered(pay)
            if days is not None and days >= (last - first).days + 1:
                days = None
            ratio = pay.part_time_ratio
            key = (ratio, days)
            found = ceilings.get(key)
            if found is None:
                ceiling = plan_pss
                if ratio is not None:
                    ceiling = ceiling * min(ratio, ONE)
                if days is not None:
                    ceiling = ceiling * min(Decimal(days), THIRTY) / THIRTY
                pss = min(ceiling.quantize(exponent, rounding), plan_pss)
                found = ceilings[key] = (pss, 4 * pss, 8 * pss)
            pss, four, eight = found
            if not (gross > NO_RATE and pss > NO_RATE):
                one_by_one.append(position)
                continue
            if ratio is not None:
                share = min(ratio, ONE)
            elif days is not None:
                share = min(pay.hours / hours_month, ONE)
            else:
                share = ONE
            cut_maladie = cut_af = False
            if smic_base is not None:
                smic_2025 = smic_base * share
                cut_maladie = gross <= cuts["maladie_smic"] * smic_2025
                cut_af = gross < cuts["af_smic"] * smic_2025
            grosses[position] = gross
            shares[position] = share
            ordinary.append(position)
            shape_of.append(
                (
                    pss,
                    0 if gross <= pss else 1 if gross <= four else 2 if gross <= eight else 3,
                    pay.category == CADRE,
                    pay.employer_headcount < 50,
                    cut_maladie,
                    cut_af,
                    pay.at_mp_rate != NO_RATE,
                    _PERSONAL
                    if personal is not None
                    else _SHORT
                    if pay.short_contract
                    else _NEUTRAL,
                )
            )
        rest = list(range(len(ordinary)))
        if integers and ordinary and len(ordinary) >= smallest_integers:
            columns, admitted, rest = _integer_columns(
                the_plan, pays, ordinary, shape_of, grosses, shares
            )
            admitted_positions = [ordinary[index] for index in admitted]
        shapes: dict[Shape, list[int]] = {}
        for index in rest:
            shapes.setdefault(shape_of[index], []).append(ordinary[index])
        for shape, positions in shapes.items():
            if len(positions) < smallest:
                one_by_one.extend(positions)
                continue
            computed = _compute_shape(
                the_plan,
                shape,
                _gather(pays, positions),
                _gather(grosses, positions),
                _gather(shares, positions),
            )
            for position, result in zip(positions, computed, strict=True):
                others[position] = result
    for position in one_by_one:
        try:
            others[position] = compute(pays[position], the_plan)
        except (MissingParameter, ValueError) as error:
            others[position] = error
    return Month(len(pays), columns, admitted_positions, others)


def _integer_columns(
    the_plan: _Plan,
    pays: list[PayInput],
    ordinary: list[int],
    shape_of: list[Shape],
    grosses: list[Any],
    shares: list[Any],
) -> tuple[fr_columns.MonthColumns | None, list[int], list[int]]:
    """The ordinary payments that fit `fr_columns`' scales as integer columns; returns the
    columns, the indices (in `ordinary`) of the payments they hold and of the others."""
    everything = list(range(len(ordinary)))
    if the_plan.column_plan is _UNSET:
        _set(the_plan, "column_plan", fr_columns.column_plan(the_plan))
    plan_of_columns = the_plan.column_plan
    if plan_of_columns is None or not fr_columns.context_exact():
        return None, [], everything
    ordinary_pays = _gather(pays, ordinary)
    ordinary_grosses = _gather(grosses, ordinary)
    fits = fr_columns.admitted(list(ordinary_grosses))
    at_mp, at_mp_fits = fr_columns.rates_scaled(list(map(_at_mp_rate, ordinary_pays)))
    fits &= at_mp_fits
    parts = list(zip(*shape_of, strict=True))
    withholding = np.array(parts[7], dtype=np.int64)
    personal_rates = [
        rate if rate is not None else NO_RATE
        for rate in map(_personal_rate, map(_profile, ordinary_pays))
    ]
    personal, personal_fits = fr_columns.rates_scaled(personal_rates)
    fits &= personal_fits
    cents = {pss: int(pss * 100) for pss in set(parts[0])}
    pss = np.fromiter(map(cents.__getitem__, parts[0]), dtype=np.int64, count=len(ordinary))
    if fits.all():
        admitted, rest = everything, []
        select: Any = slice(None)
    else:
        admitted = np.flatnonzero(fits).tolist()
        rest = np.flatnonzero(~fits).tolist()
        if not admitted:
            return None, [], rest
        select = np.array(admitted, dtype=np.intp)

    def pick(values: Any) -> list:
        return list(values) if not rest else [values[index] for index in admitted]

    columns = fr_columns.MonthColumns(
        the_plan=the_plan,
        plan=plan_of_columns,
        pays=pick(ordinary_pays),
        grosses=pick(ordinary_grosses),
        pss=pss[select],
        shares=pick(_gather(shares, ordinary)),
        cadre=np.array(parts[2], dtype=bool)[select],
        small=np.array(parts[3], dtype=bool)[select],
        cut_maladie=np.array(parts[4], dtype=bool)[select],
        cut_family=np.array(parts[5], dtype=bool)[select],
        at_mp=at_mp[select],
        withholding=withholding[select],
        personal=personal[select],
    )
    return columns, admitted, rest


def _compute_shape(
    the_plan: _Plan,
    shape: Shape,
    pays: tuple[PayInput, ...],
    grosses: tuple[Decimal, ...],
    shares: tuple[Decimal, ...],
) -> list[PayResult]:
    """Payments of one shape, column by column (`compute_all`)."""
    pss, tranche, cadre, small, cut_maladie, cut_af, with_at_mp, withholding = shape
    above = tranche > 0
    exponent, rounding = the_plan.exponent, the_plan.rounding
    count = len(pays)
    csg = the_plan.csg

    # The bases, as `compute` makes them: a Decimal when the same for the whole shape (min()
    # gives the ceiling), else a column. Tranche 2 is zero (no line) up to the ceiling.
    gross_column = list(grosses)
    seven_pss = 7 * pss
    limits = csg["abatement_pss"] * pss
    if tranche <= 1 and limits >= 4 * pss:
        # Every gross within the abatement's limit: min() gives the gross, max() a zero that
        # adds nothing (not even an exponent: the product has more decimals).
        csg_base = list(map(mul, gross_column, repeat(ONE - csg["abatement"])))
    else:
        csg_base = list(
            map(
                add,
                map(mul, map(min, gross_column, repeat(limits)), repeat(ONE - csg["abatement"])),
                map(max, map(sub, gross_column, repeat(limits)), repeat(ZERO)),
            )
        )
    if tranche == 0:
        raws: tuple[Any, ...] = (gross_column, gross_column, None, gross_column, gross_column,
                                 gross_column, csg_base)  # fmt: skip
    elif tranche == 3:
        raws = (pss, gross_column, seven_pss, 8 * pss, 4 * pss, 4 * pss, csg_base)
    else:
        # Above the ceiling and at most 8 times it: max() and min() give the difference.
        t2 = list(map(sub, gross_column, repeat(pss)))
        up_to_4 = gross_column if tranche == 1 else 4 * pss
        raws = (pss, gross_column, t2, gross_column, up_to_4, up_to_4, csg_base)
    rounded: dict[int, Any] = {}

    def columns(sequence: Sequence, lines: list, amounts: list) -> Decimal:
        """The lines of `sequence` (a column each) and their amounts; returns the sum of the
        amounts the same for every payment."""
        constant = ZERO
        for code, label_key, rate, side, source, index in sequence:
            raw = raws[index]
            if raw is None:
                continue  # a zero base: no line
            if type(raw) is not list:
                amount = (raw * rate).quantize(exponent, rounding)
                constant += amount
                line = (code, label_key, raw.quantize(exponent, rounding), rate, amount, side,
                        source)  # fmt: skip
                lines.append(repeat(_new_tuple(Line, line), count))
                continue
            printed = rounded.get(id(raw))
            if printed is None:
                printed = rounded[id(raw)] = list(
                    map(_quantize, raw, repeat(exponent), repeat(rounding))
                )
            column = list(
                map(_quantize, map(mul, raw, repeat(rate)), repeat(exponent), repeat(rounding))
            )
            amounts.append(column)
            lines.append(
                map(_new_tuple, repeat(Line), zip(repeat(code), repeat(label_key), printed,
                                                  repeat(rate), column, repeat(side),
                                                  repeat(source)))
            )  # fmt: skip
        return constant

    def total(start: Any, columns: list) -> Any:
        for amounts in columns:
            start = map(add, start, amounts)
        return start

    employee_lines: list = []
    social_amounts: list = []
    constant = columns(the_plan.social(above, cadre), employee_lines, social_amounts)
    social = list(total(repeat(constant, count), social_amounts))
    csg_amounts: list = []
    constant = columns(the_plan.csg_lines, employee_lines, csg_amounts)
    deductible: Any = repeat(ZERO, count)
    for (code, *_), amounts in zip(the_plan.csg_lines, csg_amounts, strict=True):
        if code == "csg_deductible":
            deductible = amounts
    all_social = list(total(map(add, social, repeat(constant)), csg_amounts))
    net_taxable = list(map(sub, map(sub, gross_column, social), deductible))
    net_social = list(map(sub, gross_column, all_social))

    # The withholding: the personalised rate, or the neutral grid's on the base (less the
    # abatement of a short contract).
    pas_bases = list(map(max, net_taxable, repeat(ZERO)))
    if withholding == _PERSONAL:
        pas_rates = list(map(_personal_rate, map(_profile, pays)))
        pas_source, used = PERSONAL_PAS_SOURCE, the_plan.used_personal
    else:
        if withholding == _SHORT:
            pas_bases = list(map(max, map(sub, pas_bases, repeat(the_plan.abatement)),
                                 repeat(ZERO)))  # fmt: skip
            pas_source, used = the_plan.short_pas_source, the_plan.used_short  # type: ignore[assignment]
        else:
            pas_source, used = the_plan.grid_source, the_plan.used_neutral
        grid, lowers = the_plan.grid, the_plan.grid_lowers
        if lowers is not None:  # the last band whose lower bound the base reaches
            band_rates = [NO_RATE, *(band_rate for _, band_rate in grid)]  # type: ignore[union-attr]
            pas_rates = list(map(band_rates.__getitem__, map(bisect_right, repeat(lowers),
                                                             pas_bases)))  # fmt: skip
        else:
            pas_rates = []
            for pas_base in pas_bases:
                pas_rate = NO_RATE
                for lower, band_rate in grid:  # type: ignore[union-attr]
                    if pas_base >= lower:
                        pas_rate = band_rate
                pas_rates.append(pas_rate)
    pas_amounts = list(
        map(_quantize, map(mul, pas_bases, pas_rates), repeat(exponent), repeat(rounding))
    )

    employer_lines: list = []
    employer_amounts: list = []
    constant = columns(the_plan.maladie[(cut_maladie, cut_af)], employer_lines, employer_amounts)
    if with_at_mp:
        rates = list(map(_at_mp_rate, pays))
        column = list(
            map(_quantize, map(mul, gross_column, rates), repeat(exponent), repeat(rounding))
        )
        printed = rounded.get(id(gross_column))
        if printed is None:
            printed = rounded[id(gross_column)] = list(
                map(_quantize, gross_column, repeat(exponent), repeat(rounding))
            )
        code, label_key, _, side, source = the_plan.at_mp
        employer_amounts.append(column)
        employer_lines.append(
            map(_new_tuple, repeat(Line), zip(repeat(code), repeat(label_key), printed, rates,
                                              column, repeat(side), repeat(source)))
        )  # fmt: skip
    constant += columns(the_plan.employer(small, above, cadre), employer_lines, employer_amounts)

    # The réduction générale, below its threshold only (coefficient zero above it).
    rule, hours_month = the_plan.reduction_rule, the_plan.hours_month
    bounded = rule["formula"] in ("fillon", "rgdu")  # else the formula names its error
    bounds: dict[Decimal, Decimal] = {}
    coefficients: dict[tuple[Decimal, Decimal], Decimal] = {}
    reductions: list[Any] = []
    for index in range(count):
        gross, share = grosses[index], shares[index]
        if bounded:
            bound = bounds.get(share)
            if bound is None:
                bound = bounds[share] = (
                    rule["threshold_smic"] * rule["smic_hourly"] * hours_month * share * _MARGIN
                )
            if gross > bound:
                continue
        coefficient = coefficients.get((gross, share))
        if coefficient is None:
            coefficient = coefficients[(gross, share)] = fr.reduction_coefficient(
                rule, hours_month, gross, share, small
            )
        if coefficient:
            reductions.append((index, gross, coefficient))
    # Each payment's lines: its employee lines, the withholding's (when not zero), its
    # employer lines, the réduction générale's.
    if all(pas_amounts):  # each pays some: one column more
        pas_column = map(_new_tuple, repeat(Line), zip(repeat("pas"), repeat("payroll.line.pas"),
                                                       pas_bases, pas_rates, pas_amounts,
                                                       repeat(EMPLOYEE), repeat(pas_source)))  # fmt: skip
        lines = list(zip(*employee_lines, pas_column, *employer_lines, strict=True))
        employee_totals: Any = map(add, all_social, pas_amounts)
    else:
        employee_part = list(zip(*employee_lines, strict=True)) if employee_lines else [()] * count
        employer_part = list(zip(*employer_lines, strict=True)) if employer_lines else [()] * count
        lines = []
        employee_totals = []
        for employee, employer, pas_base, pas_rate, pas, everything in zip(
            employee_part, employer_part, pas_bases, pas_rates, pas_amounts, all_social,
            strict=True,
        ):  # fmt: skip
            if pas:
                pas_line = _new_tuple(Line, ("pas", "payroll.line.pas", pas_base, pas_rate, pas,
                                             EMPLOYEE, pas_source))  # fmt: skip
                lines.append(employee + (pas_line,) + employer)  # noqa: RUF005 (faster)
                employee_totals.append(everything + pas)
            else:
                lines.append(employee + employer)
                employee_totals.append(everything)
    if reductions:  # capped by the employer's contributions: summed for these payments only
        indices = [index for index, _, _ in reductions]
        employer_totals = total(
            repeat(constant), [_gather(amounts, indices) for amounts in employer_amounts]
        )
        source = the_plan.reduction_source
        for (index, gross, coefficient), employer_total in zip(
            reductions, employer_totals, strict=False
        ):
            reduction = min((gross * coefficient).quantize(exponent, rounding), employer_total)
            lines[index] += (
                _new_tuple(Line, ("reduction_generale", "payroll.line.reduction_generale", gross,
                                  coefficient, -reduction, EMPLOYER, source)),
            )  # fmt: skip

    notes = map(_NOTES[withholding].__getitem__, map(_is_default, map(_profile, pays)))
    results: list[PayResult] = []
    append = results.append
    for pay, gross, payment_lines, taxable, net, net_pay, payment_notes in zip(
        pays, grosses, lines, net_taxable, net_social, map(sub, grosses, employee_totals), notes,
        strict=True,
    ):  # fmt: skip
        append(
            fr_columns.french_result(
                pay.category, gross, payment_lines, taxable, net, net_pay, payment_notes, used
            )
        )
    return results


# The month's parameters, read once (None: one is missing; the reference then says which).
plan = plans_by_date(_make_plan)
