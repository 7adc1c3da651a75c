from datetime import date
from decimal import Decimal

import pytest

from members import calculations as calc

# --- Ages, holdings, masking --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2010, 6, 1), date(2026, 5, 31), 15),
        (date(2010, 6, 1), date(2026, 6, 1), 16),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_counts_completed_years(born, on, age):
    assert calc.age_on(birth_date=born, on=on) == age


def test_holdings_sum_per_category_and_drop_empty_ones():
    lines = [
        ("A", 2, Decimal("60.00")),
        ("C", 1, Decimal("30.00")),
        ("A", 1, Decimal("30.00")),
        ("C", -1, Decimal("-30.00")),
    ]
    assert calc.holdings(lines) == [calc.Holding("A", 3, Decimal("90.00"))]


def test_masked_national_number_shows_only_the_last_two_digits():
    assert calc.mask_identifier("85.07.30-033.28") == "•••••••••28"
    assert "0730" not in calc.mask_identifier("85073003328")
