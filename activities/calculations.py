"""The maths of Activities: fee, work budget, gross wage, employer cost, the net ESTIMATE, wage
dates, loan instalments and kilometre allowances. Pure functions on Decimals (no ORM); the
functions at the bottom read the country pack's dated parameters for the date of the fact.

Rounding: every amount is rounded once with the pack's mode (`quantize_money`). Two rules keep
the totals honest:
- fee + budget == invoiced amount (the budget is the remainder, not rounded on its own);
- the gross a budget pays is the largest cent whose employer cost (itself rounded) does not
  exceed the budget (`max_gross_for_budget`): never a cent over (€603.22, not €603.23, for
  €935.00 at 1.55), never a cent short (€857.80, not €857.79, at 1.09), so a request for "all my
  available budget" is never refused by one cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from smartcoop.core.money import quantize_money
from smartcoop.countries.params import param

from . import net_estimators as net_estimates

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def fee_for(*, amount_excl_vat: Decimal, fee_rate: Decimal) -> Decimal:
    """The management fee kept on an invoiced amount (excl. VAT)."""
    return quantize_money(amount_excl_vat * fee_rate)


def budget_from_invoice(*, amount_excl_vat: Decimal, fee_rate: Decimal) -> tuple[Decimal, Decimal]:
    """(fee, work budget) of an invoiced amount; they add up to the amount to the cent."""
    amount = quantize_money(amount_excl_vat)
    fee = fee_for(amount_excl_vat=amount, fee_rate=fee_rate)
    return fee, amount - fee


def gross_from_budget(*, budget: Decimal, coefficient: Decimal) -> Decimal:
    """Gross wage a work budget pays under a contract type: the largest gross that fits
    (€935.00 at 1.55 pays €603.22, whose cost is €934.99; €603.23 would cost €935.01)."""
    return max_gross_for_budget(budget=budget, coefficient=coefficient)


def max_gross_for_budget(*, budget: Decimal, coefficient: Decimal) -> Decimal:
    """The largest cent of gross whose employer cost (rounded with the pack's mode) does not
    exceed `budget`. Starts one cent above (budget + 1 cent) / coefficient — a gross that
    surely costs too much whatever the rounding mode — and steps down (two or three steps)."""
    if coefficient <= 0:
        raise ValueError("a coefficient must be positive")
    if budget <= 0:
        return ZERO
    gross = ((budget + CENT) / coefficient).quantize(CENT, rounding=ROUND_UP) + CENT
    while gross > 0 and employer_cost(gross=gross, coefficient=coefficient) > budget:
        gross -= CENT
    return max(gross, ZERO)


def employer_cost(*, gross: Decimal, coefficient: Decimal) -> Decimal:
    """Salary cost debited from the budget: gross x the contract type's coefficient."""
    return quantize_money(gross * coefficient)


@dataclass(frozen=True)
class NetEstimateRates:
    """How a gross wage becomes an estimated net for one contract type (never a payslip)."""

    contribution_rate: Decimal  # personal social contributions, on the base below
    contribution_base: Decimal = Decimal("1")  # 1.08 for artists in Belgium
    withholding_rate: Decimal = Decimal("0")  # flat rate on (gross - contributions)


@dataclass(frozen=True)
class NetEstimateLine:
    """One line of a net estimate's breakdown (worker side): a deduction, or a reduction when
    negative."""

    code: str
    label: str
    base: Decimal
    rate: Decimal | None
    amount: Decimal

    @property
    def magnitude(self) -> Decimal:
        return abs(self.amount)


@dataclass(frozen=True)
class NetEstimate:
    gross: Decimal
    contributions: Decimal
    withholding: Decimal
    net: Decimal
    # Filled when a registered engine (payroll) computed the estimate; empty for flat rates.
    lines: tuple[NetEstimateLine, ...] = ()


def estimate_net(*, gross: Decimal, rates: NetEstimateRates) -> NetEstimate:
    gross = quantize_money(gross)
    contributions = quantize_money(gross * rates.contribution_base * rates.contribution_rate)
    contributions = min(contributions, gross)
    withholding = quantize_money((gross - contributions) * rates.withholding_rate)
    return NetEstimate(gross, contributions, withholding, gross - contributions - withholding)


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`. Public holidays are not counted as
    such (a later refinement: a dated holiday table per country)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def wage_due_date(*, rule: str, performance_end: date) -> date:
    """When the guarantee fund pays the wage of a performance, per the pack's rule:
    `days_after_performance:N` (N working days, BE: "within seven working days"),
    `day_of_next_month:N` (the Nth of the following month), `end_of_month` (last day of the
    performance's month)."""
    name, _sep, argument = rule.partition(":")
    if name == "days_after_performance":
        return add_working_days(performance_end, int(argument))
    if name == "day_of_next_month":
        first_next = (performance_end.replace(day=1) + timedelta(days=32)).replace(day=1)
        return first_next.replace(day=int(argument))
    if name == "end_of_month":
        first_next = (performance_end.replace(day=1) + timedelta(days=32)).replace(day=1)
        return first_next - timedelta(days=1)
    raise ValueError(f"unknown wage payment rule {rule!r}")


def loan_instalments(*, amount: Decimal, months: int) -> list[Decimal]:
    """Monthly instalments of an interest-free loan: equal, rounded down to the cent, the last
    one carrying the remainder, so they add up to the principal exactly."""
    if months < 1:
        raise ValueError("at least one month")
    amount = quantize_money(amount)
    regular = (amount / months).quantize(CENT, rounding=ROUND_DOWN)
    return [regular] * (months - 1) + [amount - regular * (months - 1)]


def km_allowance(*, km: Decimal, rate: Decimal) -> Decimal:
    return quantize_money(km * rate)


# --- Reading the pack ---------------------------------------------------------------------------


def net_estimate_rates(*, pack, contract_type: str, on: date) -> NetEstimateRates:
    """The rates of the net estimate for a contract type of the pack: the parameters its
    contract type names (see `ContractType.estimate_*_param` and params/activities.yaml)."""
    kind = next((t for t in pack.contract_types if t.code == contract_type), None)
    if kind is None or not kind.estimate_contribution_param:
        return NetEstimateRates(contribution_rate=Decimal("0"))
    return NetEstimateRates(
        contribution_rate=param(kind.estimate_contribution_param, on=on),
        contribution_base=(
            param(kind.estimate_contribution_base_param, on=on)
            if kind.estimate_contribution_base_param
            else Decimal("1")
        ),
        withholding_rate=(
            param(kind.estimate_withholding_param, on=on)
            if kind.estimate_withholding_param
            else Decimal("0")
        ),
    )


@dataclass(frozen=True)
class SimulationLine:
    contract_type: str
    label: str
    coefficient: Decimal
    gross: Decimal
    employer_cost: Decimal
    estimate: NetEstimate

    @property
    def employer_contributions(self) -> Decimal:
        """What the employer pays on top of the gross (contributions and insurance): the
        employer cost less the gross, so the two printed amounts add up to the cost."""
        return self.employer_cost - self.gross


@dataclass(frozen=True)
class Simulation:
    amount_excl_vat: Decimal
    fee_rate: Decimal
    fee: Decimal
    budget: Decimal
    lines: tuple[SimulationLine, ...]


def simulate(*, amount_excl_vat: Decimal, pack, on: date) -> Simulation:
    """Invoice amount → fee → work budget → gross per contract type → estimated net."""
    fee_rate = pack.fee_rate(on)
    fee, budget = budget_from_invoice(amount_excl_vat=amount_excl_vat, fee_rate=fee_rate)
    lines = []
    for contract_type in pack.contract_types:
        coefficient = contract_type.coefficient(on)
        gross = gross_from_budget(budget=budget, coefficient=coefficient)
        lines.append(
            SimulationLine(
                contract_type=contract_type.code,
                label=str(contract_type.label),
                coefficient=coefficient,
                gross=gross,
                employer_cost=employer_cost(gross=gross, coefficient=coefficient),
                estimate=net_estimates.net_estimate_for(
                    pack=pack, contract_type=contract_type.code, gross=gross, on=on
                ),
            )
        )
    return Simulation(quantize_money(amount_excl_vat), fee_rate, fee, budget, tuple(lines))
