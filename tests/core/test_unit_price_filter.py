"""Unit prices on invoices and quotes are written as money: "65" next to a line total of
"520.00" read as a different kind of number."""

from decimal import Decimal

import pytest
from django.utils import translation

from smartcoop.core.templatetags.smartcoop import unit_price, whole


@pytest.mark.parametrize(
    ("value", "language", "shown"),
    [
        (Decimal("65.0000"), "en", "65.00"),
        ("420", "nl", "420,00"),
        (Decimal("12.3456"), "fr", "12,3456"),
        (Decimal("1250.5000"), "en", "1,250.50"),
        (Decimal("0.125"), "en", "0.125"),
        ("", "en", ""),
    ],
)
def test_a_unit_price_has_two_decimals_and_keeps_finer_ones(value, language, shown):
    with translation.override(language):
        assert unit_price(value).replace("\u202f", " ").replace("\u00a0", " ") == shown


@pytest.mark.parametrize(
    ("value", "language", "shown"),
    [
        (Decimal("-2669.40"), "nl", "\u22122.669"),
        (Decimal("7700"), "fr", "7 700"),
        (Decimal("-80"), "en", "\u221280"),
        (Decimal("0"), "en", "0"),
    ],
)
def test_a_chart_axis_writes_whole_euros_with_the_true_minus(value, language, shown):
    """The budget chart's axis printed "-2.669" (a hyphen) under amounts written "\u2212€ 79,95"."""
    with translation.override(language):
        assert whole(value).replace("\u202f", " ").replace("\u00a0", " ") == shown
