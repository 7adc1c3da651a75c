"""The batch engines (`compute_pay`, `compute_many`) against the reference engines
(`compute_pay_reference`: `be.compute`, `fr.compute`), pure: no database.

The batch engines read each month's parameters once and run a tight loop; a payslip must not
change by a cent, a line, a source or a parameter snapshot for it. Compared by value and by
repr, so that even the exponent of a Decimal (what a snapshot or a PDF prints) is the same.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payroll.calculations import (
    DEFAULT_TAX_PROFILE,
    ArtistCostsGroup,
    ContractPay,
    ExitHoliday,
    Intermittent,
    MaritalStatus,
    MissingParameter,
    PayInput,
    TaxProfile,
    WorkerCategory,
    YearToDate,
    be,
    compute_many,
    compute_pay,
    compute_pay_reference,
    fr,
    fr_batch,
    fr_columns,
)

from .helpers import month, pay
from .test_properties import be_payments, fr_months, fr_payments, profiles


@st.composite
def ordinary_be_payments(draw):
    """One contract of any Belgian worker: employees (with or without the exit holiday pay of
    their last contract), manual workers, artists, students around their yearly quota."""
    year_month = (2026, draw(st.integers(1, 12)))
    first, last = month(*year_month)
    day = draw(st.integers(1, last.day))
    category = draw(
        st.sampled_from(
            [
                WorkerCategory.EMPLOYEE,
                WorkerCategory.MANUAL_WORKER,
                WorkerCategory.ARTIST,
                WorkerCategory.STUDENT,
            ]
        )
    )
    earlier = st.decimals(min_value=0, max_value=Decimal("60000.00"), places=2)
    exit_holiday = None
    if category == WorkerCategory.EMPLOYEE:
        exit_holiday = draw(
            st.none()
            | st.builds(
                ExitHoliday,
                current_year_gross=earlier,
                previous_year_gross=earlier,
                taxable_before=earlier,
            )
        )
    return PayInput(
        "BE", category, first, last,
        (ContractPay("C-1", draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20000"),
                                             places=2)),
                     draw(st.decimals(min_value=0, max_value=200, places=2)),
                     first.replace(day=day), last),),
        tax_profile=draw(profiles),
        year_to_date=YearToDate(draw(st.decimals(min_value=400, max_value=700, places=0))),
        exit_holiday=exit_holiday,
    )  # fmt: skip


def same(left, right) -> None:
    assert left == right
    assert repr(left) == repr(right)


@settings(max_examples=400, deadline=None)
@given(st.lists(be_payments() | fr_payments() | ordinary_be_payments(), min_size=1, max_size=6))
def test_batch_results_are_the_reference_results(payments):
    expected = [compute_pay_reference(payment) for payment in payments]
    for payment, result in zip(payments, expected, strict=True):
        same(compute_pay(payment), result)
    same(compute_many(payments), expected)


@st.composite
def french_months(draw):
    """Up to 60 French payments of one month, the way a pay run hands them over: most are
    ordinary (full or part time, a whole or part of the month, every tranche of the ceiling,
    any withholding, the default tax profile or not), some intermittents."""
    year_month = draw(fr_months)
    payments = draw(st.lists(fr_payments(year_month), min_size=1, max_size=60))
    defaults = draw(st.lists(st.booleans(), min_size=len(payments), max_size=len(payments)))
    return [
        replace(payment, tax_profile=DEFAULT_TAX_PROFILE) if default else payment
        for payment, default in zip(payments, defaults, strict=True)
    ]


@settings(max_examples=300, deadline=None)
@given(french_months())
def test_french_columns_are_the_reference_results(payments):
    """`fr_batch.compute_all` computes the ordinary payments of a month as integer-cent columns
    and the others (and, without integers, all of them) by Decimal columns of one shape; every
    shape taken that way here (`smallest=1`), each payslip is the reference's, to the
    exponent, both ways."""
    expected = [compute_pay_reference(payment) for payment in payments]
    the_plan = fr_batch.plan(payments[0].period_start)
    same(fr_batch.compute_all(payments, the_plan, smallest=1, smallest_integers=1), expected)
    same(fr_batch.compute_all(payments, the_plan, smallest=1), expected)
    decimal_columns = fr_batch.month_columns(payments, the_plan, smallest=1, integers=False)
    same(decimal_columns.results(), expected)


@st.composite
def ordinary_french_months(draw):
    """Up to 60 ordinary French payments of one month (May 2025 to December 2026): cadre or
    not, 0.3 to 8 PSS and more (one to four contracts), full or part time, a whole month or a
    few days, short contracts, the neutral or a personalised withholding rate (zero
    included), the default profile or not, any headcount around 50, any AT/MP rate (zero
    included)."""
    year_month = draw(fr_months)
    first, last = month(*year_month)
    payments = []
    for _ in range(draw(st.integers(1, 60))):
        found = []
        for index in range(draw(st.integers(1, 4))):
            start = first + timedelta(days=draw(st.integers(0, (last - first).days)))
            if draw(st.booleans()):
                start = first
            end = (
                last
                if draw(st.booleans())
                else start + timedelta(days=draw(st.integers(0, (last - start).days)))
            )
            gross = draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("40000.00"),
                                     places=2))  # fmt: skip
            hours = draw(st.decimals(min_value=Decimal("1"), max_value=Decimal("180"), places=2))
            found.append(ContractPay(f"C-{index}", gross, hours, start, end))
        rate = draw(st.none() | st.just(Decimal("0")) | st.decimals(min_value=0, max_value=1,
                                                                     places=3))  # fmt: skip
        payments.append(
            PayInput(
                "FR", draw(st.sampled_from([WorkerCategory.CADRE, WorkerCategory.NON_CADRE])),
                first, last, tuple(found),
                tax_profile=TaxProfile(fr_pas_rate=rate, is_default=draw(st.booleans())),
                employer_headcount=draw(st.sampled_from([1, 12, 49, 50, 51, 300])),
                at_mp_rate=draw(st.just(Decimal("0")) | st.decimals(
                    min_value=Decimal("0.005"), max_value=Decimal("0.06"), places=4)),
                part_time_ratio=draw(st.none() | st.decimals(min_value=Decimal("0.2"),
                                                             max_value=Decimal("1.2"), places=4)),
                short_contract=draw(st.booleans()),
            )
        )  # fmt: skip
    return payments


@settings(max_examples=300, deadline=None)
@given(ordinary_french_months())
def test_integer_columns_are_the_reference_results(payments):
    """Every ordinary payment of a month goes to the integer-cent columns (none to the Decimal
    paths), and each payslip made from them is the reference's, line for line, to the
    exponent; the columns' nets and employer cost are the payslip's in cents."""
    expected = [compute_pay_reference(payment) for payment in payments]
    computed = fr_batch.month_columns(
        payments, fr_batch.plan(payments[0].period_start), smallest_integers=1
    )
    assert computed.positions == list(range(len(payments)))
    assert computed.others == {}
    same(computed.results(), expected)
    columns = computed.columns
    for index, result in enumerate(expected):
        assert columns.net_pay[index] == result.net_pay * 100
        assert columns.net_social[index] == result.net_social * 100
        assert columns.net_taxable[index] == result.net_taxable * 100
        assert columns.employer_cost[index] == result.employer_cost * 100


def test_figures_beyond_the_integer_scales_go_to_the_decimal_columns():
    """A gross above 1,000,000.00 (int64 could overflow beyond), a gross written with three
    decimals, an AT/MP rate with seven: those payments leave the integer columns and are
    still the reference's; a gross of exactly 1,000,000.00 with rates of 1 (the largest
    products the integers make) stays in them, exact."""
    first, last = month(2026, 3)

    def payment(gross, at_mp_rate="0.0125", pas_rate=None):
        return pay("FR", WorkerCategory.CADRE, gross, "151.67", start=first, end=last,
                   at_mp_rate=Decimal(at_mp_rate), employer_headcount=250,
                   profile=TaxProfile(fr_pas_rate=pas_rate and Decimal(pas_rate)))  # fmt: skip

    payments = [
        payment("1000000.00", at_mp_rate="1", pas_rate="1"),
        payment("1000000.01"),
        payment("2500.000"),
        payment("2500.00", at_mp_rate="0.0000001"),
        payment("2500.00", pas_rate="0.1234567"),
        payment("2500.00"),
    ]
    expected = [compute_pay_reference(p) for p in payments]
    computed = fr_batch.month_columns(payments, fr_batch.plan(first), smallest_integers=1)
    assert computed.positions == [0, 5]
    assert sorted(computed.others) == [1, 2, 3, 4]
    same(computed.results(), expected)


def _refuse(*args, **kwargs):
    raise AssertionError("the reference engine was called")


def test_ordinary_payments_take_the_fast_path(monkeypatch):
    """Employees of both countries, full and part time, short contracts, any household, the
    exit holiday pay of a last contract, students within and beyond their quota: the batch
    engines compute them without the reference (else there is nothing to gain)."""
    first, last = month(2026, 3)
    couple = TaxProfile(marital_status=MaritalStatus.COUPLE, dependent_children=2)
    exit_pay = ExitHoliday(current_year_gross=Decimal("1800.00"), taxable_before=Decimal("900"))
    payments = [
        pay(
            "BE",
            WorkerCategory.EMPLOYEE,
            "400.00",
            "8",
            start=date(2026, 3, 3),
            exit_holiday=exit_pay,
        ),
        pay(
            "BE",
            WorkerCategory.EMPLOYEE,
            "0.00",
            "0",
            start=date(2026, 3, 3),
            exit_holiday=exit_pay,
        ),
        pay("BE", WorkerCategory.STUDENT, "120.00", "8", start=date(2026, 3, 9)),
        pay(
            "BE",
            WorkerCategory.STUDENT,
            "900.00",
            "60",
            start=date(2026, 3, 9),
            student_hours_used="580",
        ),
        pay(
            "BE",
            WorkerCategory.STUDENT,
            "300.00",
            "20",
            start=date(2026, 3, 9),
            student_hours_used="600",
            profile=couple,
        ),
        pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67", start=first, end=last),
        pay("BE", WorkerCategory.ARTIST, "200.00", "8", start=date(2026, 3, 12), profile=couple),
        pay("BE", WorkerCategory.MANUAL_WORKER, "2500.00", "120", start=first, end=last),
        pay(
            "FR",
            WorkerCategory.CADRE,
            "6000.00",
            "151.67",
            start=first,
            end=last,
            at_mp_rate=Decimal("0.0125"),
            employer_headcount=250,
        ),
        pay(
            "FR",
            WorkerCategory.NON_CADRE,
            "150.00",
            "7",
            start=date(2026, 3, 5),
            at_mp_rate=Decimal("0.007"),
            short_contract=True,
        ),
        pay(
            "FR",
            WorkerCategory.NON_CADRE,
            "1200.00",
            "80",
            start=first,
            end=last,
            at_mp_rate=Decimal("0.007"),
            part_time_ratio=Decimal("0.53"),
            profile=TaxProfile(fr_pas_rate=Decimal("0.041")),
        ),
    ]
    expected = [compute_pay_reference(payment) for payment in payments]
    monkeypatch.setattr(be, "compute", _refuse)
    monkeypatch.setattr(fr, "compute", _refuse)
    same(compute_many(payments), expected)


def test_intermittents_take_the_fast_path(monkeypatch):
    """Intermittents du spectacle: a technician (annexe 8) on a CDDU of a week, an artist
    (annexe 10) on two days (the short-engagement ceiling), an artist with the DFS, under 50
    staff and not, in 2025 (low-wage cuts) and 2026: the batch engine computes them without
    the reference, each payslip the reference's."""
    payments = []
    for year_month in ((2025, 6), (2026, 3)):
        first, last = month(*year_month)
        for intermittent, costs, start, end, gross, staff in (
            (Intermittent.TECHNICIAN, None, first.replace(day=3), first.replace(day=9),
             "1450.00", 12),
            (Intermittent.ARTIST, None, first.replace(day=12), first.replace(day=13), "820.00",
             80),
            (Intermittent.ARTIST, ArtistCostsGroup.MUSICIAN, first, last, "5200.00", 30),
            (Intermittent.ARTIST, ArtistCostsGroup.DRAMATIC, first.replace(day=20), last,
             "2300.00", 300),
        ):  # fmt: skip
            payments.append(
                pay("FR", WorkerCategory.NON_CADRE, gross, "35", start=start, end=end,
                    at_mp_rate=Decimal("0.0125"), employer_headcount=staff,
                    intermittent=intermittent, artist_costs=costs, short_contract=True)
            )  # fmt: skip
    expected = [compute_pay_reference(payment) for payment in payments]
    assert {line.code for result in expected for line in result.lines} >= {
        "chomage_intermittent", "chomage_cddu_surcharge", "conges_spectacles"
    }  # fmt: skip
    monkeypatch.setattr(fr, "compute", _refuse)
    same(compute_many(payments), expected)


def test_a_month_of_french_payments_is_computed_in_columns(monkeypatch):
    """Many French payments above the ceiling (here 120 non-cadres between 1 and 4 PSS, full
    time and half time: two ceilings, whose tranche-1 lines the payslips share):
    `compute_many` computes them in integer columns, neither one by one, nor by the Decimal
    columns, nor by the reference, and each payslip is the reference's."""
    first, last = month(2026, 3)
    payments = [
        pay("FR", WorkerCategory.NON_CADRE, f"{4100 + 31 * index}.{index % 100:02d}", "151.67",
            start=first, end=last, at_mp_rate=Decimal("0.0125"), employer_headcount=250,
            part_time_ratio=Decimal("0.5") if index % 2 else None)
        for index in range(120)
    ]  # fmt: skip
    expected = [compute_pay_reference(payment) for payment in payments]
    monkeypatch.setattr(fr, "compute", _refuse)
    monkeypatch.setattr(fr_batch, "compute", _refuse)
    monkeypatch.setattr(fr_batch, "_compute_shape", _refuse)
    same(compute_many(payments), expected)


def test_a_few_french_payments_take_the_decimal_columns(monkeypatch):
    """Fewer than 100 ordinary payments in a month (a payslip computed alone, a small pay
    run): the Decimal columns, not the integer ones (whose numpy calls cost more than they
    save there); each payslip is still the reference's."""
    first, last = month(2026, 3)
    payments = [
        pay("FR", WorkerCategory.CADRE, f"{2100 + 53 * index}.00", "151.67", start=first,
            end=last, at_mp_rate=Decimal("0.0125"), employer_headcount=20)
        for index in range(99)
    ]  # fmt: skip
    expected = [compute_pay_reference(payment) for payment in payments]
    monkeypatch.setattr(fr_columns, "MonthColumns", _refuse)
    same(compute_many(payments), expected)


def test_a_missing_parameter_still_names_itself_and_the_date():
    """June 2025 has no Belgian withholding scale in the pack: the batch stops as the reference
    does, or keeps the error in the payment's place and computes the others."""
    june = pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67", start=date(2025, 6, 2))
    march = pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67", start=date(2026, 3, 2))
    with pytest.raises(MissingParameter, match=r"be\.withholding_scale .*2025-06-01"):
        compute_many([march, june])
    kept = compute_many([june, march], keep_errors=True)
    assert isinstance(kept[0], MissingParameter)
    assert str(kept[0]) == "payroll parameter be.withholding_scale has no value on 2025-06-01"
    assert kept[1] == compute_pay_reference(march)


def test_a_refused_payment_keeps_its_place():
    march = pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67", start=date(2026, 3, 2))
    french_without_rate = pay("FR", WorkerCategory.CADRE, "3000.00", "151.67",
                              start=date(2026, 3, 2))  # fmt: skip
    kept = compute_many([french_without_rate, march], keep_errors=True)
    assert isinstance(kept[0], ValueError)
    assert "AT/MP" in str(kept[0])
    assert kept[1].net_pay == compute_pay_reference(march).net_pay


def test_the_first_refused_payment_in_order_is_the_error_raised():
    """French payments are computed together after the loop; without `keep_errors` the error
    raised is still that of the first refused payment in the order given."""
    june = pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67", start=date(2025, 6, 2))
    french_without_rate = pay("FR", WorkerCategory.CADRE, "3000.00", "151.67",
                              start=date(2026, 3, 2))  # fmt: skip
    with pytest.raises(ValueError, match="AT/MP"):
        compute_many([french_without_rate, june])
    with pytest.raises(MissingParameter, match=r"be\.withholding_scale"):
        compute_many([june, french_without_rate])


@pytest.mark.parametrize("margin", [fr_columns.TIE_MARGIN, 0.0, 1.0])
def test_reduction_coefficients_are_the_reference_ones(monkeypatch, margin):
    """The réduction générale's coefficient of the integer columns (the formula evaluated for
    the whole column, the payments near a rounding boundary or the threshold left to the
    reference's function) is the reference's, value and exponent, for Fillon (2025) and the
    RGDU (2026), full and part time, under 50 staff or not, on 2,000 grosses from 0.01 to
    beyond the threshold; with no margin at all (no payment left to the reference) and with
    every payment left to it, too."""
    monkeypatch.setattr(fr_columns, "TIE_MARGIN", margin)
    grosses = [Decimal(cents) / 100 for cents in range(1, 700_000, 347)]
    for on in (date(2025, 6, 1), date(2026, 3, 1)):
        rule = fr.Rules("FR", on).value("reduction_generale")
        hours = fr.Rules("FR", on).value("full_time_monthly_hours")
        for share in (Decimal("1"), Decimal("0.5"), Decimal(60) / Decimal("151.67")):
            for small in (False, True):
                coefficients, scaled = fr_columns.reduction_coefficients(
                    rule, hours, grosses, np.array([int(g * 100) for g in grosses]),
                    [share] * len(grosses), np.full(len(grosses), small),
                )  # fmt: skip
                for index, gross in enumerate(grosses):
                    expected = fr.reduction_coefficient(rule, hours, gross, share, small)
                    found = coefficients.get(index, Decimal("0"))
                    assert (found, repr(found) if expected else "") == (
                        expected, repr(expected) if expected else ""
                    )  # fmt: skip
                    assert scaled[index] == expected * 10_000


def test_cents_become_the_decimals_the_reference_prints():
    """The integer columns' cents become Decimals of two decimals, from the table of cent
    Decimals or made, on both sides of the table's end, zero and negative (a réduction
    générale) included: the same value and repr as the reference's rounded amounts."""
    cents = [0, 1, 99, 100, 131_071, 131_072, 131_073, -5, -131_072, 100_000_000]
    for values in (cents, cents[:4], [131_071, 131_072] + [7] * 20, [200_000] * 5 + [3]):
        made = fr_columns._decimal_cents(np.array(values, dtype=np.int64))
        expected = [(Decimal(c) / 100).quantize(Decimal("0.01")) for c in values]
        assert [repr(d) for d in made] == [repr(d) for d in expected]
