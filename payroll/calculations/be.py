"""Belgium: gross -> net of one monthly payment, and the employer's contributions.

Order of operations (shared/RULES.md §1.1): personal social security contribution (SSC) on the
gross, or on 108 % of it for manual workers and artists; minus the social work bonus (parts A and
B, never more than the SSC); taxable pay = gross - net SSC; withholding tax by the key formula of
Annex III AR/CIR 92, minus the fiscal work bonus; special social security contribution (BBSZ);
net = gross - net SSC - withholding - BBSZ.

Students within the yearly hours quota pay the 2.71 % solidarity contribution (the employer
5.42 %), no work bonus, no BBSZ and no withholding tax; their hours beyond the quota are paid at
the ordinary rules. The quota is consumed in the order the contracts start (then by contract
number), so the result never depends on the order the contracts are listed in, and hours already
counted this year (`year_to_date.student_hours`, across contracts and entities) are never counted
again.

Short contracts and incomplete months -- the pro-rating applied, and why:
- The work bonus and the structural reduction are defined for a full-time, full-month reference
  wage. For an incomplete month or part-time work, the DmfA instructions convert the wage to
  that reference (S = wage / mu) and multiply the resulting amount by the occupation fraction
  mu. We take mu = hours paid / full-time hours of the month (38 h x 52 / 12), capped at 1,
  because a one-day or one-week contract of the cooperative is defined by its hours.
- Withholding tax is computed on the taxable pay of the calendar month as paid (Annex III: the
  scale for monthly payments, annualised x 12), without pro-rating: a single day's pay in a month
  is that month's pay. Several contracts of the same month are added up first.
- BBSZ is a monthly advance on the month's wage, not pro-rated either (regularised per quarter).
- The structural reduction is a quarterly reduction; the month carries a third of the quarterly
  amount computed on the month's reference wage (S x 3), times mu -- an advance that the
  quarterly DmfA settles.

Exit holiday pay (`PayInput.exit_holiday`, employees only; RULES.md Part II §1.1): when the
worker's last contract with the employer ends, the employer pays 15.34 % of the gross earned with
it in the year of exit (this payment included) and in the previous year if those holidays were
not yet taken: single part 7.67 %, double part 6.80 %, additional double part 0.87 %. The single
part bears the ordinary SSC (13.07 %) and the employer's basic and wage-moderation contributions;
the double part the special 13.07 % employee contribution, no employer contribution; the
additional part neither. Withholding: the holiday-pay rate of the exceptional-allowances grid,
on the exit pay less those contributions, chosen by the worker's annual taxable remuneration,
taken here as the taxable pay earned with this employer in the twelve months ending with this
payment (exceptional pay left out): a worker employed all year gets the monthly pay x 12 of the
FPS examples, and a worker of a few short contracts is rated on what they actually earned with
the employer, the only normal remuneration the employer knows (RULES flags the definition for a
leaver UNCERTAIN). Not applied: the child-related relief on exceptional allowances; the exit pay
does not enter the work bonus, the BBSZ or the structural reduction (the DmfA excludes the
single exit pay from the structural reduction's wage mass). Artists and manual workers get no
exit pay (their holiday pay comes from the holiday fund, RULES Part II §1.3); students are not
covered here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .rules import Rules
from .types import (
    BE_CATEGORIES,
    ZERO,
    ContractPay,
    Line,
    MaritalStatus,
    PayInput,
    PayResult,
    Side,
    TaxProfile,
    WorkerCategory,
)

CATEGORIES = BE_CATEGORIES  # the worker categories this engine computes
ONE = Decimal("1")
TWELVE = Decimal("12")
WEEKS_PER_MONTH = Decimal("52") / TWELVE


@dataclass(frozen=True)
class _StudentSplit:
    in_quota_gross: Decimal
    in_quota_hours: Decimal
    beyond_gross: Decimal
    beyond_hours: Decimal


def _ordered(contracts: tuple[ContractPay, ...]) -> list[ContractPay]:
    return sorted(contracts, key=lambda c: (c.start, c.end, c.reference))


def split_student_quota(
    *, contracts: tuple[ContractPay, ...], quota: Decimal, hours_used: Decimal, rules: Rules
) -> _StudentSplit:
    """Hours (and their pay) within what is left of the yearly quota, the rest beyond it. The
    quota goes to the contracts in the order they start; a contract straddling the limit is
    split in proportion to its hours."""
    left = max(quota - hours_used, Decimal("0"))
    in_gross = in_hours = beyond_gross = beyond_hours = Decimal("0")
    for contract in _ordered(contracts):
        take = min(contract.hours, left)
        left -= take
        if contract.hours and take == contract.hours:
            part = contract.gross
        elif contract.hours:
            part = rules.money(contract.gross * take / contract.hours)
        else:  # pay without hours (rare) stays with the regime of the moment
            part = contract.gross if left > 0 else Decimal("0")
        in_gross += part
        in_hours += take
        beyond_gross += contract.gross - part
        beyond_hours += contract.hours - take
    return _StudentSplit(in_gross, in_hours, beyond_gross, beyond_hours)


def _work_bonus_part(s: Decimal, amount: Decimal, threshold: Decimal, slope: Decimal) -> Decimal:
    if s <= threshold:
        return amount
    return max(amount - slope * (s - threshold), Decimal("0"))


def _scale_tax(amount: Decimal, scale: tuple, rules: Rules) -> Decimal:
    """Tax on `amount` by a progressive scale [(upper, rate), ...], rounded to the cent per
    bracket as the key formula does."""
    tax = Decimal("0")
    lower = Decimal("0")
    for upper, rate in scale:
        top = amount if upper == "" else min(amount, upper)
        if top > lower:
            tax += rules.money((top - lower) * rate)
        if upper == "" or amount <= upper:
            break
        lower = upper
    return tax


def _bands(amount: Decimal, bands: tuple, rules: Rules) -> Decimal:
    """A banded monthly scale [(from, to, base, marginal rate), ...]: base + rate x (S - from)."""
    for low, high, base, rate in bands:
        if high == "" or amount <= high:
            return rules.money(base + rate * max(amount - low, Decimal("0")))
    return Decimal("0")


def withholding_annual(
    *, monthly_taxable: Decimal, profile: TaxProfile, rules: Rules
) -> tuple[Decimal, str]:
    """The key formula of Annex III AR/CIR 92 on a monthly taxable pay: the annual tax (before
    the fiscal work bonus) and the sources it used."""
    scale, scale_source = rules.entry("withholding_scale")
    costs_rule = rules.value("withholding_lump_sum_costs")
    tax_free = rules.value("withholding_tax_free_sum")
    annual = rules.money(monthly_taxable * TWELVE)
    costs = min(rules.money(annual * costs_rule["rate"]), costs_rule["cap"])
    net = annual - costs
    exempt_tax = _scale_tax(tax_free, scale, rules)
    if profile.marital_status == MaritalStatus.COUPLE and not profile.partner_has_income:
        quotient_rule = rules.value("withholding_marital_quotient")
        quotient = min(rules.money(net * quotient_rule["rate"]), quotient_rule["cap"])
        # Both parts are taxed by the scale and the tax on two tax-free sums comes off their
        # sum (RULES §1.4 step C): a partner's tax-free sum their quotient does not use still
        # lowers the worker's tax (flooring each part at 0 withheld up to ~73 a month too much).
        both = _scale_tax(net - quotient, scale, rules) + _scale_tax(quotient, scale, rules)
        tax = max(both - 2 * exempt_tax, Decimal("0"))
    else:
        tax = max(_scale_tax(net, scale, rules) - exempt_tax, Decimal("0"))
    reduction = withholding_reduction(
        profile,
        rules.value("withholding_children_reduction"),
        rules.value("withholding_other_reductions"),
    )
    return max(tax - reduction, Decimal("0")), scale_source


def withholding_reduction(profile: TaxProfile, children_rule: dict, others: dict) -> Decimal:
    """The yearly tax reductions of the worker's family situation (Annex III): dependent
    children by the scale's table (beyond it, a fixed amount per extra child), other
    dependants, single parent, disabled worker."""
    children = profile.dependent_children + profile.disabled_children  # a disabled child: twice
    table = children_rule["amounts"]
    if children < len(table):
        reduction = table[children]
    else:
        reduction = table[-1] + children_rule["per_extra_child"] * (children - len(table) + 1)
    reduction += others["other_dependant"] * profile.other_dependants
    if profile.single_parent:
        reduction += others["single_parent"]
    if profile.disabled:
        reduction += others["disabled_worker"]
    return reduction


def _grid_rate(amount: Decimal, grid: tuple) -> Decimal:
    for upper, rate in grid:
        if upper == "" or amount <= upper:
            return rate
    raise ValueError("the grid has no last band")  # pragma: no cover - the loader's table


def exit_holiday_lines(
    pay: PayInput, *, ordinary_taxable: Decimal, rules: Rules
) -> tuple[list[Line], Decimal, Decimal]:
    """The exit holiday pay lines (module doc), its taxable amount and its social net (the pay
    less the contributions on it)."""
    exit_holiday = pay.exit_holiday
    assert exit_holiday is not None
    if pay.category != WorkerCategory.EMPLOYEE:
        raise ValueError("exit holiday pay is computed for employees only")
    rates, rates_source = rules.entry("exit_holiday_pay_rates")
    base = exit_holiday.current_year_gross + exit_holiday.previous_year_gross + pay.gross
    lines: list[Line] = []
    parts = {part: rules.money(base * rates[part]) for part in ("simple", "double", "additional")}
    for part, amount in parts.items():
        lines.append(
            Line(
                f"exit_holiday_{part}",
                f"payroll.line.exit_holiday_{part}",
                base,
                rates[part],
                amount,
                Side.EARNING,
                rates_source,
            )
        )
    ssc_rate, ssc_source = rules.entry("ssc_personal_rate")
    special_rate, special_source = rules.entry("exit_holiday_special_contribution_rate")
    ssc = rules.money(parts["simple"] * ssc_rate)
    special = rules.money(parts["double"] * special_rate)
    lines.append(Line("exit_holiday_ssc", "payroll.line.exit_holiday_ssc", parts["simple"],
                      ssc_rate, ssc, Side.EMPLOYEE, ssc_source))  # fmt: skip
    lines.append(Line("exit_holiday_special_contribution",
                      "payroll.line.exit_holiday_special_contribution", parts["double"],
                      special_rate, special, Side.EMPLOYEE, special_source))  # fmt: skip
    total = sum(parts.values(), ZERO)
    taxable = total - ssc - special
    reference = exit_holiday.taxable_before + ordinary_taxable
    grid, grid_source = rules.entry("exit_holiday_withholding_rates")
    tax_rate = _grid_rate(reference, grid)
    lines.append(
        Line(
            "exit_holiday_withholding",
            "payroll.line.exit_holiday_withholding",
            taxable,
            tax_rate,
            rules.money(taxable * tax_rate),
            Side.EMPLOYEE,
            f"{grid_source}; annual taxable remuneration {rules.money(reference)}: taxable pay "
            "with this employer over the 12 months ending with this payment",
        )
    )
    for code, name in (
        ("exit_holiday_employer_basic", "employer_basic_rate"),
        ("exit_holiday_employer_wage_moderation", "employer_wage_moderation_rate"),
    ):
        rate, source = rules.entry(name)
        lines.append(Line(code, f"payroll.line.{code}", parts["simple"], rate,
                          rules.money(parts["simple"] * rate), Side.EMPLOYER, source))  # fmt: skip
    return lines, taxable, total - ssc - special


def compute(pay: PayInput) -> PayResult:
    rules = Rules("BE", pay.on)
    lines: list[Line] = []
    notes: list[str] = []
    if pay.tax_profile.is_default:
        notes.append("tax_profile_default")
    category = pay.category
    in_quota_hours = beyond_hours = Decimal("0")

    ordinary_gross = pay.gross
    ordinary_hours = pay.hours
    if category == WorkerCategory.STUDENT:
        quota, quota_source = (
            Decimal(rules.value("student_hours_quota")),
            rules.source("student_hours_quota"),
        )
        split = split_student_quota(
            contracts=pay.contracts,
            quota=quota,
            hours_used=pay.year_to_date.student_hours,
            rules=rules,
        )
        in_quota_hours, beyond_hours = split.in_quota_hours, split.beyond_hours
        rates, source = rules.entry("student_solidarity_rates")
        if not rules.value("withholding_student_exemption"):  # pragma: no cover - law change
            raise NotImplementedError("withholding on student pay within the quota")
        if split.in_quota_gross:
            lines.append(
                Line(
                    "student_solidarity",
                    "payroll.line.student_solidarity",
                    split.in_quota_gross,
                    rates["employee"],
                    rules.money(split.in_quota_gross * rates["employee"]),
                    Side.EMPLOYEE,
                    f"{source}; quota: {quota_source}; no withholding: "
                    f"{rules.source('withholding_student_exemption')}",
                )
            )
            lines.append(
                Line(
                    "student_solidarity_employer",
                    "payroll.line.student_solidarity_employer",
                    split.in_quota_gross,
                    rates["employer"],
                    rules.money(split.in_quota_gross * rates["employer"]),
                    Side.EMPLOYER,
                    source,
                )
            )
        if split.beyond_gross:
            notes.append("student_quota_exceeded")
        ordinary_gross, ordinary_hours = split.beyond_gross, split.beyond_hours

    net_ssc = Decimal("0")
    withholding = Decimal("0")
    bbsz = Decimal("0")
    taxable = Decimal("0")
    if ordinary_gross > 0:
        manual = category in (WorkerCategory.MANUAL_WORKER, WorkerCategory.ARTIST)
        coefficient = rules.value("ssc_base_coefficient_manual") if manual else ONE
        ssc_base = rules.money(ordinary_gross * coefficient)
        ssc_rate, ssc_source = rules.entry("ssc_personal_rate")
        ssc = rules.money(ssc_base * ssc_rate)
        base_source = f"{ssc_source}; 108 %: {rules.source('ssc_base_coefficient_manual')}"
        lines.append(
            Line(
                "ssc_personal",
                "payroll.line.ssc_personal",
                ssc_base,
                ssc_rate,
                ssc,
                Side.EMPLOYEE,
                base_source if manual else ssc_source,
            )
        )

        # Occupation fraction mu and the full-time full-month reference wage S (module doc).
        full_time_hours = rules.value("full_time_weekly_hours") * WEEKS_PER_MONTH
        mu = min(ordinary_hours / full_time_hours, ONE) if ordinary_hours else ONE
        reference = ordinary_gross / mu if mu else ordinary_gross
        bonus_table, bonus_source = rules.entry(
            "work_bonus_manual" if manual else "work_bonus_employee"
        )
        part_a = rules.money(
            _work_bonus_part(
                reference,
                bonus_table["a_amount"],
                bonus_table["a_threshold"],
                bonus_table["a_slope"],
            )
            * mu
        )
        part_b = rules.money(
            _work_bonus_part(
                reference,
                bonus_table["b_amount"],
                bonus_table["b_threshold"],
                bonus_table["b_slope"],
            )
            * mu
        )
        if part_a + part_b > ssc:  # never more than the SSC: shared pro rata (RULES §1.3)
            total = part_a + part_b
            part_a = rules.money(ssc * part_a / total) if total else Decimal("0")
            part_b = ssc - part_a
        if part_a:
            lines.append(
                Line(
                    "work_bonus_a",
                    "payroll.line.work_bonus_a",
                    rules.money(reference),
                    None,
                    -part_a,
                    Side.EMPLOYEE,
                    bonus_source,
                )
            )
        if part_b:
            lines.append(
                Line(
                    "work_bonus_b",
                    "payroll.line.work_bonus_b",
                    rules.money(reference),
                    None,
                    -part_b,
                    Side.EMPLOYEE,
                    bonus_source,
                )
            )
        net_ssc = ssc - part_a - part_b
        taxable = ordinary_gross - net_ssc

        annual_tax, scale_source = withholding_annual(
            monthly_taxable=taxable, profile=pay.tax_profile, rules=rules
        )
        withholding = rules.money(annual_tax / TWELVE)
        lines.append(
            Line(
                "withholding_tax",
                "payroll.line.withholding_tax",
                taxable,
                None,
                withholding,
                Side.EMPLOYEE,
                scale_source,
            )
        )
        fiscal_rates, fiscal_source = rules.entry("fiscal_work_bonus_rates")
        fiscal = rules.money(part_a * fiscal_rates["a"] + part_b * fiscal_rates["b"])
        fiscal = min(fiscal, withholding)
        if fiscal:
            lines.append(
                Line(
                    "fiscal_work_bonus",
                    "payroll.line.fiscal_work_bonus",
                    part_a + part_b,
                    None,
                    -fiscal,
                    Side.EMPLOYEE,
                    fiscal_source,
                )
            )
        withholding -= fiscal

        two_incomes = (
            pay.tax_profile.marital_status == MaritalStatus.COUPLE
            and pay.tax_profile.partner_has_income
        )
        bands, bbsz_source = rules.entry(
            "special_ssc_two_incomes" if two_incomes else "special_ssc_single"
        )
        bbsz = _bands(ssc_base, bands, rules)
        if bbsz:
            lines.append(
                Line(
                    "special_ssc",
                    "payroll.line.special_ssc",
                    ssc_base,
                    None,
                    bbsz,
                    Side.EMPLOYEE,
                    bbsz_source,
                )
            )

        # Employer: basic contribution and wage moderation on the SSC base; the structural
        # reduction (category 1) as a monthly advance; the holiday fund for manual workers and
        # artists (both parts are costs of this month's wage).
        basic_rate, basic_source = rules.entry("employer_basic_rate")
        moderation_rate, moderation_source = rules.entry("employer_wage_moderation_rate")
        basic = rules.money(ssc_base * basic_rate)
        moderation = rules.money(ssc_base * moderation_rate)
        lines.append(
            Line(
                "employer_basic",
                "payroll.line.employer_basic",
                ssc_base,
                basic_rate,
                basic,
                Side.EMPLOYER,
                basic_source,
            )
        )
        lines.append(
            Line(
                "employer_wage_moderation",
                "payroll.line.employer_wage_moderation",
                ssc_base,
                moderation_rate,
                moderation,
                Side.EMPLOYER,
                moderation_source,
            )
        )
        structural, structural_source = rules.entry("structural_reduction_cat1")
        quarterly_reference = reference * 3
        quarterly = structural["alpha"] * max(
            structural["s0"] - quarterly_reference, Decimal("0")
        ) + structural["delta"] * max(structural["s2"] - quarterly_reference, Decimal("0"))
        reduction = min(rules.money(quarterly * mu / 3), basic + moderation)
        if reduction:
            lines.append(
                Line(
                    "structural_reduction",
                    "payroll.line.structural_reduction",
                    rules.money(quarterly_reference),
                    None,
                    -reduction,
                    Side.EMPLOYER,
                    structural_source,
                )
            )
        if manual:
            holiday, holiday_source = rules.entry("employer_holiday_fund_rates")
            for part in ("quarterly", "annual"):
                lines.append(
                    Line(
                        f"holiday_fund_{part}",
                        f"payroll.line.holiday_fund_{part}",
                        ssc_base,
                        holiday[part],
                        rules.money(ssc_base * holiday[part]),
                        Side.EMPLOYER,
                        holiday_source,
                    )
                )

    gross = pay.gross
    student_solidarity = sum(
        (line.amount for line in lines if line.code == "student_solidarity"), ZERO
    )
    net_taxable = taxable + (gross - ordinary_gross - student_solidarity)
    net_social = gross - net_ssc - bbsz - student_solidarity
    if pay.exit_holiday is not None:
        exit_lines, exit_taxable, exit_social = exit_holiday_lines(
            pay, ordinary_taxable=taxable, rules=rules
        )
        lines.extend(exit_lines)
        gross += sum((line.amount for line in exit_lines if line.side == Side.EARNING), ZERO)
        net_taxable += exit_taxable
        net_social += exit_social
        notes.append("exit_holiday_pay")
    employee_total = sum((line.amount for line in lines if line.side == Side.EMPLOYEE), ZERO)
    return PayResult(
        country="BE",
        category=category,
        gross=gross,
        lines=tuple(lines),
        net_taxable=net_taxable,
        net_social=net_social,
        net_pay=gross - employee_total,
        student_hours_in_quota=in_quota_hours,
        student_hours_beyond_quota=beyond_hours,
        notes=tuple(notes),
        parameters=rules.used(),
    )
