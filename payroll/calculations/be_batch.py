"""Belgium, many payments at once: the same results as `be.compute` (the reference), to the
cent, line for line, with the same sources and parameter snapshot, several times faster.

The parameters of a month are read once into a `_Plan`: rates, sources, the tax on the
tax-free sum, the tax of each full bracket of the withholding scale (the key formula rounds
per bracket, so the tax of the brackets below an amount is a constant), the reductions of each
tax profile met, and the snapshot of each set of parameters a payment can read. Each payment
then runs the reference's operations in the reference's order: students (the quota split,
the solidarity lines, the hours beyond the quota at the ordinary rules) and the exit holiday
pay included. A month whose parameters are incomplete for the payment, or exit pay for a worker
who is not an employee, is left to the reference (which names the missing parameter, or
refuses, as before). tests/payroll/test_batch.py checks the identity on generated payments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from . import be
from .rules import Rules, lookup, money_rule, plans_by_date, snapshots
from .types import (
    ZERO,
    Line,
    LineTemplate,
    MaritalStatus,
    PayInput,
    PayResult,
    Side,
    TaxProfile,
    UsedParameter,
    WorkerCategory,
    line_from,
    line_template,
    result_from,
)

ONE = Decimal("1")
NOTHING = Decimal("0")
TWELVE = Decimal("12")
EMPLOYEE = Side.EMPLOYEE
EMPLOYER = Side.EMPLOYER
COUPLE = MaritalStatus.COUPLE
MANUAL = frozenset({WorkerCategory.MANUAL_WORKER, WorkerCategory.ARTIST})
ORDINARY = frozenset({WorkerCategory.EMPLOYEE, *MANUAL})

# What an ordinary payment (not a student's, with pay) reads, whatever the worker.
_ALWAYS = (
    "ssc_base_coefficient_manual",
    "ssc_personal_rate",
    "full_time_weekly_hours",
    "withholding_scale",
    "withholding_lump_sum_costs",
    "withholding_tax_free_sum",
    "withholding_children_reduction",
    "withholding_other_reductions",
    "fiscal_work_bonus_rates",
    "employer_basic_rate",
    "employer_wage_moderation_rate",
    "structural_reduction_cat1",
)
# Read by some payments only: manual workers and artists, a couple with one income, two incomes.
_SOMETIMES = (
    "work_bonus_employee",
    "work_bonus_manual",
    "employer_holiday_fund_rates",
    "withholding_marital_quotient",
    "special_ssc_single",
    "special_ssc_two_incomes",
)
# Read by every student's payment (before the ordinary rules, for the hours beyond the quota).
_STUDENT = ("student_hours_quota", "student_solidarity_rates", "withholding_student_exemption")
# Read by the exit holiday pay (be.exit_holiday_lines).
_EXIT = (
    "exit_holiday_pay_rates",
    "ssc_personal_rate",
    "exit_holiday_special_contribution_rate",
    "exit_holiday_withholding_rates",
    "employer_basic_rate",
    "employer_wage_moderation_rate",
)
STUDENT = WorkerCategory.STUDENT
EMPLOYEE_CATEGORY = WorkerCategory.EMPLOYEE
EARNING = Side.EARNING


@dataclass
class _Plan:
    rules: Rules  # for the shared helpers (the special contribution's bands)
    exponent: Decimal
    rounding: str
    value: dict[str, Any]
    source: dict[str, str]
    entries: dict[str, Any]  # name -> ParameterValue, for the snapshots
    exempt_tax: Decimal
    brackets: tuple[tuple[Any, Decimal, Decimal, Decimal], ...]  # upper, lower, rate, tax below
    full_time_hours: Decimal
    templates: dict[str, LineTemplate]
    reductions: dict[TaxProfile, Decimal] = field(default_factory=dict)
    used: dict[tuple[bool, ...], tuple[UsedParameter, ...] | None] = field(default_factory=dict)


def _make_plan(on: date) -> _Plan | None:
    found = {name: lookup(f"be.{name}", on) for name in (*_ALWAYS, *_SOMETIMES, *_STUDENT, *_EXIT)}
    if any(found[name] is None for name in _ALWAYS):
        return None
    entries = {name: entry for name, entry in found.items() if entry is not None}
    value = {name: entry.value for name, entry in entries.items()}
    source = {name: entry.source for name, entry in entries.items()}
    rules = Rules("BE", on)
    exponent, rounding = money_rule("BE")
    scale = value["withholding_scale"]
    brackets = []
    below = Decimal("0")
    lower = Decimal("0")
    for upper, rate in scale:
        brackets.append((upper, lower, rate, below))
        if upper == "":
            break
        if upper > lower:
            below += rules.money((upper - lower) * rate)
        lower = upper
    ssc_rate = value["ssc_personal_rate"]
    ssc_source = source["ssc_personal_rate"]
    templates = {
        "ssc_employee": line_template("ssc_personal", ssc_rate, EMPLOYEE, ssc_source),
        "ssc_manual": line_template(
            "ssc_personal",
            ssc_rate,
            EMPLOYEE,
            f"{ssc_source}; 108 %: {source['ssc_base_coefficient_manual']}",
        ),
        "withholding_tax": line_template(
            "withholding_tax", None, EMPLOYEE, source["withholding_scale"]
        ),
        "fiscal_work_bonus": line_template(
            "fiscal_work_bonus", None, EMPLOYEE, source["fiscal_work_bonus_rates"]
        ),
        "employer_basic": line_template(
            "employer_basic",
            value["employer_basic_rate"],
            EMPLOYER,
            source["employer_basic_rate"],
        ),
        "employer_wage_moderation": line_template(
            "employer_wage_moderation",
            value["employer_wage_moderation_rate"],
            EMPLOYER,
            source["employer_wage_moderation_rate"],
        ),
        "structural_reduction": line_template(
            "structural_reduction", None, EMPLOYER, source["structural_reduction_cat1"]
        ),
    }
    for name in ("work_bonus_employee", "work_bonus_manual"):
        if name in value:
            for part in ("a", "b"):
                templates[f"{name}_{part}"] = line_template(
                    f"work_bonus_{part}", None, EMPLOYEE, source[name]
                )
    for name in ("special_ssc_single", "special_ssc_two_incomes"):
        if name in value:
            templates[name] = line_template("special_ssc", None, EMPLOYEE, source[name])
    if all(name in value for name in _STUDENT):
        rates, rates_source = value["student_solidarity_rates"], source["student_solidarity_rates"]
        templates["student_solidarity"] = line_template(
            "student_solidarity",
            rates["employee"],
            EMPLOYEE,
            f"{rates_source}; quota: {source['student_hours_quota']}; no withholding: "
            f"{source['withholding_student_exemption']}",
        )
        templates["student_solidarity_employer"] = line_template(
            "student_solidarity_employer", rates["employer"], EMPLOYER, rates_source
        )
    if "exit_holiday_pay_rates" in value:
        rates, rates_source = value["exit_holiday_pay_rates"], source["exit_holiday_pay_rates"]
        for part in ("simple", "double", "additional"):
            templates[f"exit_holiday_{part}"] = line_template(
                f"exit_holiday_{part}", rates[part], EARNING, rates_source
            )
        templates["exit_holiday_ssc"] = line_template(
            "exit_holiday_ssc", value["ssc_personal_rate"], EMPLOYEE, source["ssc_personal_rate"]
        )
        if "exit_holiday_special_contribution_rate" in value:
            templates["exit_holiday_special_contribution"] = line_template(
                "exit_holiday_special_contribution",
                value["exit_holiday_special_contribution_rate"],
                EMPLOYEE,
                source["exit_holiday_special_contribution_rate"],
            )
        for code, name in (
            ("exit_holiday_employer_basic", "employer_basic_rate"),
            ("exit_holiday_employer_wage_moderation", "employer_wage_moderation_rate"),
        ):
            templates[code] = line_template(code, value[name], EMPLOYER, source[name])
    if "employer_holiday_fund_rates" in value:
        for part in ("quarterly", "annual"):
            templates[f"holiday_fund_{part}"] = line_template(
                f"holiday_fund_{part}",
                value["employer_holiday_fund_rates"][part],
                EMPLOYER,
                source["employer_holiday_fund_rates"],
            )
    return _Plan(
        rules=rules,
        exponent=exponent,
        rounding=rounding,
        value=value,
        source=source,
        entries=entries,
        exempt_tax=be._scale_tax(value["withholding_tax_free_sum"], scale, rules),
        brackets=tuple(brackets),
        full_time_hours=value["full_time_weekly_hours"] * be.WEEKS_PER_MONTH,
        templates=templates,
    )


def _used(the_plan: _Plan, key: tuple[bool, ...]) -> tuple[UsedParameter, ...] | None:
    """The snapshot of what a payment reads (None: one of them is missing on the date), by
    (student, ordinary pay, manual, one-income couple, two incomes, exit pay): what
    `be.compute` reads on each of its paths."""
    try:
        return the_plan.used[key]
    except KeyError:
        pass
    student, ordinary, manual, quotient, two_incomes, exit_pay = key
    names: list[str] = []
    if student:
        names.extend(_STUDENT)
    if ordinary:
        names.extend(_ALWAYS)
        names.append("work_bonus_manual" if manual else "work_bonus_employee")
        names.append("special_ssc_two_incomes" if two_incomes else "special_ssc_single")
        if manual:
            names.append("employer_holiday_fund_rates")
        if quotient:
            names.append("withholding_marital_quotient")
    if exit_pay:
        names.extend(_EXIT)
    found: tuple[UsedParameter, ...] | None = None
    if all(name in the_plan.entries for name in names):
        found = snapshots({f"be.{name}": the_plan.entries[name] for name in names})
    the_plan.used[key] = found
    return found


def _reduction(the_plan: _Plan, profile: TaxProfile) -> Decimal:
    """The yearly tax reductions of a household (be.withholding_annual's, same operations)."""
    found = the_plan.reductions.get(profile)
    if found is None:
        found = the_plan.reductions[profile] = be.withholding_reduction(
            profile,
            the_plan.value["withholding_children_reduction"],
            the_plan.value["withholding_other_reductions"],
        )
    return found


def _scale_tax(amount: Decimal, the_plan: _Plan) -> Decimal:
    """be._scale_tax from the tax of the full brackets below `amount` (same sum, same roundings)."""
    for upper, lower, rate, below in the_plan.brackets:
        if upper == "" or amount <= upper:
            if amount > lower:
                return below + ((amount - lower) * rate).quantize(
                    the_plan.exponent, the_plan.rounding
                )
            return below
    raise ValueError("the scale has no last bracket")  # pragma: no cover - the loader's table


def compute(pay: PayInput, the_plan: _Plan | None) -> PayResult:
    """One payment: be.compute's operations in be.compute's order, with the month's parameters
    read once; the reference when a parameter the payment reads is missing (it names it) or
    when it refuses the payment."""
    if the_plan is None:
        return be.compute(pay)
    category = pay.category
    student = category == STUDENT
    if not student and category not in ORDINARY:
        return be.compute(pay)
    exit_holiday = pay.exit_holiday
    if exit_holiday is not None and category != EMPLOYEE_CATEGORY:
        return be.compute(pay)  # refused: exit pay is computed for employees only
    exponent, rounding = the_plan.exponent, the_plan.rounding
    value = the_plan.value
    templates = the_plan.templates
    contracts = pay.contracts
    single = len(contracts) == 1
    gross = ZERO + contracts[0].gross if single else pay.gross
    profile = pay.tax_profile
    lines: list[Line] = []
    append = lines.append
    notes = ["tax_profile_default"] if profile.is_default else []
    employee_total = ZERO
    student_solidarity = ZERO

    if student:
        if "student_solidarity" not in templates or not value["withholding_student_exemption"]:
            return be.compute(pay)
        split = be.split_student_quota(
            contracts=contracts,
            quota=Decimal(value["student_hours_quota"]),
            hours_used=pay.year_to_date.student_hours,
            rules=the_plan.rules,
        )
        in_quota_gross = split.in_quota_gross
        if in_quota_gross:
            template = templates["student_solidarity"]
            amount = (in_quota_gross * template[2]).quantize(exponent, rounding)  # type: ignore[operator]
            append(line_from(template, in_quota_gross, amount))
            employee_total += amount
            student_solidarity += amount
            template = templates["student_solidarity_employer"]
            append(
                line_from(
                    template,
                    in_quota_gross,
                    (in_quota_gross * template[2]).quantize(exponent, rounding),  # type: ignore[operator]
                )
            )
        if split.beyond_gross:
            notes.append("student_quota_exceeded")
        ordinary_gross, hours = split.beyond_gross, split.beyond_hours
    else:
        ordinary_gross = gross
        hours = NOTHING + contracts[0].hours if single else pay.hours

    ordinary = ordinary_gross > NOTHING
    manual = quotient = two_incomes = False
    if ordinary:
        manual = category in MANUAL
        couple = profile.marital_status == COUPLE
        quotient = couple and not profile.partner_has_income
        two_incomes = couple and profile.partner_has_income
    used = _used(
        the_plan, (student, ordinary, manual, quotient, two_incomes, exit_holiday is not None)
    )
    if used is None:
        return be.compute(pay)

    taxable = net_ssc = bbsz = NOTHING
    if ordinary:
        coefficient = value["ssc_base_coefficient_manual"] if manual else ONE
        ssc_base = (ordinary_gross * coefficient).quantize(exponent, rounding)
        ssc_rate = value["ssc_personal_rate"]
        ssc = (ssc_base * ssc_rate).quantize(exponent, rounding)
        append(line_from(templates["ssc_manual" if manual else "ssc_employee"], ssc_base, ssc))
        employee_total += ssc

        mu = min(hours / the_plan.full_time_hours, ONE) if hours else ONE
        reference = ordinary_gross / mu if mu else ordinary_gross
        bonus_name = "work_bonus_manual" if manual else "work_bonus_employee"
        bonus = value[bonus_name]
        part_a = (
            be._work_bonus_part(
                reference, bonus["a_amount"], bonus["a_threshold"], bonus["a_slope"]
            )
            * mu
        ).quantize(exponent, rounding)
        part_b = (
            be._work_bonus_part(
                reference, bonus["b_amount"], bonus["b_threshold"], bonus["b_slope"]
            )
            * mu
        ).quantize(exponent, rounding)
        if part_a + part_b > ssc:
            total = part_a + part_b
            part_a = (ssc * part_a / total).quantize(exponent, rounding) if total else Decimal("0")
            part_b = ssc - part_a
        if part_a or part_b:
            q_reference = reference.quantize(exponent, rounding)
            if part_a:
                append(line_from(templates[f"{bonus_name}_a"], q_reference, -part_a))
                employee_total += -part_a
            if part_b:
                append(line_from(templates[f"{bonus_name}_b"], q_reference, -part_b))
                employee_total += -part_b
        net_ssc = ssc - part_a - part_b
        taxable = ordinary_gross - net_ssc

        # Withholding: be.withholding_annual, step for step.
        costs_rule = value["withholding_lump_sum_costs"]
        annual = (taxable * TWELVE).quantize(exponent, rounding)
        costs = min((annual * costs_rule["rate"]).quantize(exponent, rounding), costs_rule["cap"])
        net = annual - costs
        exempt_tax = the_plan.exempt_tax
        if quotient:
            quotient_rule = value["withholding_marital_quotient"]
            share = min(
                (net * quotient_rule["rate"]).quantize(exponent, rounding), quotient_rule["cap"]
            )
            both = _scale_tax(net - share, the_plan) + _scale_tax(share, the_plan)
            tax = max(both - 2 * exempt_tax, NOTHING)
        else:
            tax = max(_scale_tax(net, the_plan) - exempt_tax, NOTHING)
        annual_tax = max(tax - _reduction(the_plan, profile), NOTHING)
        withholding = (annual_tax / TWELVE).quantize(exponent, rounding)
        append(line_from(templates["withholding_tax"], taxable, withholding))
        employee_total += withholding
        fiscal_rates = value["fiscal_work_bonus_rates"]
        fiscal = (part_a * fiscal_rates["a"] + part_b * fiscal_rates["b"]).quantize(
            exponent, rounding
        )
        fiscal = min(fiscal, withholding)
        if fiscal:
            append(line_from(templates["fiscal_work_bonus"], part_a + part_b, -fiscal))
            employee_total += -fiscal

        bands_name = "special_ssc_two_incomes" if two_incomes else "special_ssc_single"
        bbsz = be._bands(ssc_base, value[bands_name], the_plan.rules)
        if bbsz:
            append(line_from(templates[bands_name], ssc_base, bbsz))
            employee_total += bbsz

        basic = (ssc_base * value["employer_basic_rate"]).quantize(exponent, rounding)
        moderation = (ssc_base * value["employer_wage_moderation_rate"]).quantize(
            exponent, rounding
        )
        append(line_from(templates["employer_basic"], ssc_base, basic))
        append(line_from(templates["employer_wage_moderation"], ssc_base, moderation))
        structural = value["structural_reduction_cat1"]
        quarterly_reference = reference * 3
        quarterly = structural["alpha"] * max(structural["s0"] - quarterly_reference, NOTHING) + (
            structural["delta"] * max(structural["s2"] - quarterly_reference, NOTHING)
        )
        reduction = min((quarterly * mu / 3).quantize(exponent, rounding), basic + moderation)
        if reduction:
            append(
                line_from(
                    templates["structural_reduction"],
                    quarterly_reference.quantize(exponent, rounding),
                    -reduction,
                )
            )
        if manual:
            for part in ("holiday_fund_quarterly", "holiday_fund_annual"):
                template = templates[part]
                append(
                    line_from(
                        template,
                        ssc_base,
                        (ssc_base * template[2]).quantize(exponent, rounding),  # type: ignore[operator]
                    )
                )

    net_taxable = taxable + (gross - ordinary_gross - student_solidarity)
    net_social = gross - net_ssc - bbsz - student_solidarity
    if exit_holiday is not None:
        # be.exit_holiday_lines, step for step
        base = exit_holiday.current_year_gross + exit_holiday.previous_year_gross + gross
        parts = []
        for part in ("exit_holiday_simple", "exit_holiday_double", "exit_holiday_additional"):
            template = templates[part]
            amount = (base * template[2]).quantize(exponent, rounding)  # type: ignore[operator]
            append(line_from(template, base, amount))
            parts.append(amount)
        simple, double, _additional = parts
        template = templates["exit_holiday_ssc"]
        exit_ssc = (simple * template[2]).quantize(exponent, rounding)  # type: ignore[operator]
        append(line_from(template, simple, exit_ssc))
        template = templates["exit_holiday_special_contribution"]
        special = (double * template[2]).quantize(exponent, rounding)  # type: ignore[operator]
        append(line_from(template, double, special))
        exit_total = sum(parts, ZERO)
        exit_taxable = exit_total - exit_ssc - special
        annual_taxable = exit_holiday.taxable_before + taxable
        tax_rate = be._grid_rate(annual_taxable, value["exit_holiday_withholding_rates"])
        exit_withholding = (exit_taxable * tax_rate).quantize(exponent, rounding)
        append(
            Line(
                "exit_holiday_withholding",
                "payroll.line.exit_holiday_withholding",
                exit_taxable,
                tax_rate,
                exit_withholding,
                EMPLOYEE,
                f"{the_plan.source['exit_holiday_withholding_rates']}; annual taxable "
                f"remuneration {annual_taxable.quantize(exponent, rounding)}: taxable pay "
                "with this employer over the 12 months ending with this payment",
            )
        )
        for part in ("exit_holiday_employer_basic", "exit_holiday_employer_wage_moderation"):
            template = templates[part]
            append(
                line_from(
                    template,
                    simple,
                    (simple * template[2]).quantize(exponent, rounding),  # type: ignore[operator]
                )
            )
        gross += exit_total
        net_taxable += exit_taxable
        net_social += exit_total - exit_ssc - special
        notes.append("exit_holiday_pay")
        employee_total += exit_ssc + special + exit_withholding

    result = result_from(
        country="BE",
        category=category,
        gross=gross,
        lines=tuple(lines),
        net_taxable=net_taxable,
        net_social=net_social,
        net_pay=gross - employee_total,
        notes=tuple(notes),
        parameters=used,
    )
    if student:
        result.__dict__["student_hours_in_quota"] = split.in_quota_hours
        result.__dict__["student_hours_beyond_quota"] = split.beyond_hours
    return result


# The month's parameters, read once (None: one is missing; the reference then says which).
plan = plans_by_date(_make_plan)
