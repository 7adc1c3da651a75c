"""Properties of both engines (hypothesis), pure: no database."""

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from payroll.calculations import (
    ArtistCostsGroup,
    ContractPay,
    ExitHoliday,
    Intermittent,
    MaritalStatus,
    PayInput,
    TaxProfile,
    WorkerCategory,
    YearToDate,
    compute_pay,
)

from .helpers import month

money = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("25000.00"), places=2)
hours = st.decimals(min_value=Decimal("1"), max_value=Decimal("180"), places=2)
profiles = st.builds(
    TaxProfile,
    marital_status=st.sampled_from(list(MaritalStatus)),
    partner_has_income=st.booleans(),
    dependent_children=st.integers(0, 10),
    other_dependants=st.integers(0, 3),
    disabled=st.booleans(),
)
be_categories = st.sampled_from(
    [WorkerCategory.EMPLOYEE, WorkerCategory.MANUAL_WORKER, WorkerCategory.ARTIST,
     WorkerCategory.STUDENT]
)  # fmt: skip
fr_categories = st.sampled_from([WorkerCategory.CADRE, WorkerCategory.NON_CADRE])
be_months = st.sampled_from([(2026, m) for m in range(1, 13)])
fr_months = st.sampled_from([(2025, m) for m in range(5, 13)] + [(2026, m) for m in range(1, 13)])


@st.composite
def contracts(draw, year_month):
    first, last = month(*year_month)
    found = []
    for index in range(draw(st.integers(1, 4))):
        start = first + timedelta(days=draw(st.integers(0, (last - first).days)))
        end = start + timedelta(days=draw(st.integers(0, (last - start).days)))
        found.append(ContractPay(f"C-{index}", draw(money), draw(hours), start, end))
    return tuple(found)


@st.composite
def be_payments(draw):
    year_month = draw(be_months)
    first, last = month(*year_month)
    category = draw(be_categories)
    earlier = st.decimals(min_value=0, max_value=Decimal("60000.00"), places=2)
    exit_holiday = None
    if category == WorkerCategory.EMPLOYEE:  # the last contract ends: exit holiday pay
        exit_holiday = draw(st.none() | st.builds(ExitHoliday, current_year_gross=earlier,
                                                  previous_year_gross=earlier,
                                                  taxable_before=earlier))  # fmt: skip
    return PayInput(
        "BE", category, first, last, draw(contracts(year_month)),
        tax_profile=draw(profiles),
        year_to_date=YearToDate(draw(st.decimals(min_value=0, max_value=700, places=0))),
        exit_holiday=exit_holiday,
    )  # fmt: skip


@st.composite
def fr_payments(draw, year_month=None):
    year_month = year_month or draw(fr_months)
    first, last = month(*year_month)
    part_time = draw(st.none() | st.decimals(min_value=Decimal("0.2"), max_value=1, places=2))
    rate = draw(st.none() | st.decimals(min_value=0, max_value=Decimal("0.43"), places=3))
    intermittent = draw(st.none() | st.sampled_from(list(Intermittent)))
    artist_costs = None
    if intermittent == Intermittent.ARTIST:
        artist_costs = draw(st.none() | st.sampled_from(list(ArtistCostsGroup)))
    return PayInput(
        "FR", draw(fr_categories), first, last, draw(contracts(year_month)),
        tax_profile=TaxProfile(fr_pas_rate=rate),
        employer_headcount=draw(st.integers(1, 500)),
        at_mp_rate=draw(st.decimals(min_value=Decimal("0.005"), max_value=Decimal("0.06"),
                                    places=4)),
        part_time_ratio=part_time, short_contract=draw(st.booleans()),
        intermittent=intermittent, artist_costs=artist_costs,
    )  # fmt: skip


payments = be_payments() | fr_payments()


@settings(max_examples=300, deadline=None)
@given(payments)
def test_net_plus_employee_deductions_is_gross_to_the_cent(payment):
    result = compute_pay(payment)
    earned = sum((line.amount for line in result.earning_lines), Decimal("0"))  # exit holiday pay
    assert result.net_pay + result.employee_deductions == result.gross == payment.gross + earned
    for line in result.lines:
        assert line.amount == line.amount.quantize(Decimal("0.01"))


@settings(max_examples=300, deadline=None)
@given(payments)
def test_employer_cost_is_at_least_the_gross(payment):
    result = compute_pay(payment)
    assert result.employer_cost >= result.gross


@settings(max_examples=200, deadline=None)
@given(payments, st.randoms())
def test_results_never_depend_on_the_order_contracts_are_given(payment, random):
    shuffled = list(payment.contracts)
    random.shuffle(shuffled)
    reordered = PayInput(**{**payment.__dict__, "contracts": tuple(shuffled)})
    assert compute_pay(reordered) == compute_pay(payment)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 12), hours, money), min_size=1, max_size=24))
def test_student_quota_is_never_counted_twice(jobs):
    """A year of student contracts paid month by month, each payment carrying the hours already
    counted: no more than the 650-hour quota is ever at the solidarity rate, every hour is counted
    once, and the total within the quota is the same as if the year were one payment."""
    used = Decimal("0")
    total_in = total_beyond = Decimal("0")
    by_month: dict[int, list[ContractPay]] = {}
    for index, (number, worked, gross) in enumerate(jobs):
        first, _last = month(2026, number)
        by_month.setdefault(number, []).append(
            ContractPay(f"S-{index:02d}", gross, worked, first, first)
        )
    for number in sorted(by_month):
        first, last = month(2026, number)
        result = compute_pay(
            PayInput("BE", WorkerCategory.STUDENT, first, last, tuple(by_month[number]),
                     year_to_date=YearToDate(used))
        )  # fmt: skip
        used += result.student_hours_in_quota
        total_in += result.student_hours_in_quota
        total_beyond += result.student_hours_beyond_quota
    all_hours = sum((worked for _n, worked, _g in jobs), Decimal("0"))
    assert total_in <= 650
    assert total_in + total_beyond == all_hours
    assert total_in == min(all_hours, Decimal("650"))
