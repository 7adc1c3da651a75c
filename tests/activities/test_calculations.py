import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activities import calculations as calc
from smartcoop.countries import current_pack
from smartcoop.countries.params import param

amounts = st.decimals(min_value="0.01", max_value="1000000", places=2)
coefficients = st.one_of(
    st.sampled_from([Decimal("1.55"), Decimal("1.57"), Decimal("1.09"), Decimal("1.45")]),
    st.decimals(min_value="1.0001", max_value="2.5", places=4),
)


@pytest.mark.parametrize(
    ("contract_type", "gross"),
    [("employee", "603.22"), ("artistic", "595.54"), ("student", "857.80")],
)
def test_worked_example_of_the_issue(contract_type, gross):
    """Invoice EUR 1,000 excl. VAT at 6.5 % -> budget EUR 935.00 -> gross per contract type,
    whose employer cost never exceeds the budget (603.23 x 1.55 would cost EUR 935.01)."""
    simulation = calc.simulate(
        amount_excl_vat=Decimal("1000"), pack=current_pack(), on=dt.date(2026, 3, 1)
    )
    assert simulation.fee == Decimal("65.00")
    assert simulation.budget == Decimal("935.00")
    line = next(li for li in simulation.lines if li.contract_type == contract_type)
    assert line.gross == Decimal(gross)
    assert line.employer_cost <= Decimal("935.00")


def test_the_largest_gross_is_not_a_cent_short():
    """EUR 857.80 x 1.09 costs EUR 935.00: it fits, so it is the answer (not EUR 857.79)."""
    assert calc.max_gross_for_budget(
        budget=Decimal("935.00"), coefficient=Decimal("1.09")
    ) == Decimal("857.80")
    assert calc.max_gross_for_budget(
        budget=Decimal("935.00"), coefficient=Decimal("1.55")
    ) == Decimal("603.22")


@given(amount=amounts, rate=st.decimals(min_value="0", max_value="0.2", places=3))
def test_fee_and_budget_add_up_to_the_invoice(amount, rate):
    fee, budget = calc.budget_from_invoice(amount_excl_vat=amount, fee_rate=rate)
    assert fee + budget == amount
    assert fee >= 0 and budget >= 0


@given(budget=amounts, coefficient=coefficients)
def test_max_gross_never_costs_more_than_the_budget(budget, coefficient):
    gross = calc.max_gross_for_budget(budget=budget, coefficient=coefficient)
    assert calc.employer_cost(gross=gross, coefficient=coefficient) <= budget
    # ... and one cent more would not fit: it is the largest cent that does.
    assert calc.employer_cost(gross=gross + Decimal("0.01"), coefficient=coefficient) > budget


@given(gross=amounts, contract_type=st.sampled_from(["employee", "artistic", "student"]))
def test_net_estimate_is_between_zero_and_gross(gross, contract_type):
    rates = calc.net_estimate_rates(
        pack=current_pack(), contract_type=contract_type, on=dt.date(2026, 1, 1)
    )
    estimate = calc.estimate_net(gross=gross, rates=rates)
    assert Decimal("0") <= estimate.net <= gross
    assert estimate.contributions + estimate.withholding + estimate.net == estimate.gross


@given(amount=amounts, months=st.integers(min_value=1, max_value=60))
def test_loan_instalments_add_up_to_the_principal(amount, months):
    instalments = calc.loan_instalments(amount=amount, months=months)
    assert len(instalments) == months
    assert sum(instalments) == amount
    assert all(i >= 0 for i in instalments)


@pytest.mark.parametrize(
    ("rule", "end", "expected"),
    [
        ("days_after_performance:7", dt.date(2026, 3, 6), dt.date(2026, 3, 17)),  # Fri -> Tue
        ("day_of_next_month:10", dt.date(2026, 12, 20), dt.date(2027, 1, 10)),
        ("end_of_month", dt.date(2026, 2, 3), dt.date(2026, 2, 28)),
    ],
)
def test_wage_due_date_rules(rule, end, expected):
    assert calc.wage_due_date(rule=rule, performance_end=end) == expected


def test_unknown_wage_rule_is_refused():
    with pytest.raises(ValueError):
        calc.wage_due_date(rule="whenever", performance_end=dt.date(2026, 1, 1))


def test_km_allowance_uses_the_dated_rate():
    rate = param("be.km_allowance_rate", on=dt.date(2025, 7, 1))
    assert calc.km_allowance(km=Decimal("100"), rate=rate) == Decimal("43.26")


def _activities_parameters():
    from smartcoop.countries.params import parameter_tables

    for key, table in sorted(parameter_tables().items()):
        if table.file.name == "activities.yaml":
            for index, entry in enumerate(table.values):
                yield pytest.param(key, index, id=f"{key}@{entry.valid_from}")


@pytest.mark.parametrize(("key", "index"), list(_activities_parameters()))
def test_each_dated_value_holds_from_its_day_and_not_the_day_before(key, index):
    from smartcoop.countries.params import ParameterNotInForce, parameter_tables

    table = parameter_tables()[key]
    entry = table.values[index]
    assert param(key, on=entry.valid_from) == entry.value
    day_before = entry.valid_from - dt.timedelta(days=1)
    if index == 0:
        with pytest.raises(ParameterNotInForce):
            param(key, on=day_before)
    else:
        assert param(key, on=day_before) == table.values[index - 1].value
