from decimal import Decimal, InvalidOperation

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from smartcoop.core.money import format_money, parse_amount, quantize_money


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("1.005", "1.01"), ("1.004", "1.00"), ("-1.005", "-1.01"), ("2.675", "2.68"), ("10", "10.00")],
)
def test_amounts_round_half_up_to_the_cent(amount, expected):
    assert quantize_money(Decimal(amount)) == Decimal(expected)


def test_floats_are_refused():
    with pytest.raises(TypeError, match="never float"):
        quantize_money(1.1)


@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=2), max_size=20))
def test_quantizing_exact_cents_changes_nothing(amounts):
    assert sum(quantize_money(a) for a in amounts) == sum(amounts, Decimal(0))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "€\u00a01.234,56"),
        ("fr", "1\u00a0234,56\u00a0€"),
        ("en", "€1,234.56"),
        ("de", "1.234,56\u00a0€"),
    ],
)
def test_money_is_written_as_people_of_each_language_write_it(language, expected):
    with translation.override(language):
        assert format_money(Decimal("1234.56")) == expected


@pytest.mark.parametrize(
    ("language", "amount", "quantity", "day"),
    [
        ("nl", "1.159,20", "1,5", "2-3-2026"),
        ("fr", "1\u00a0159,20", "1,5", "02/03/2026"),
        ("en", "1,159.20", "1.5", "02/03/2026"),
    ],
)
def test_document_figures_are_written_in_the_readers_language(language, amount, quantity, day):
    from django.template import Context, Template

    template = Template(
        '{% load smartcoop %}{{ a|amount }}|{{ q|quantity }}|{{ d|isodate|date:"SHORT_DATE_FORMAT" }}'
    )
    with translation.override(language):
        rendered = template.render(Context({"a": "1159.2", "q": "1.5000", "d": "2026-03-02"}))
    assert rendered.split("|") == [amount, quantity, day]


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("329,20", "329.20"),
        ("329.2", "329.2"),
        ("1.234", "1234"),
        ("1234", "1234"),
        ("-12,50", "-12.50"),
    ],
)
def test_amounts_are_read_as_people_type_them(typed, amount):
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["", "12,3,4x", "abc", "1.2.3,4a", "--5"])
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(InvalidOperation):
        parse_amount(typed)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "\u2212€\u00a01.636,50"),
        ("fr", "\u22121\u00a0636,50\u00a0€"),
        ("en", "\u2212€1,636.50"),
    ],
)
def test_a_negative_amount_has_one_minus_in_front_of_the_whole_amount(language, expected):
    with translation.override(language):
        assert format_money(Decimal("-1636.50")) == expected
        assert format_money(Decimal("-0.004")) == format_money(Decimal("0"))  # no minus zero


def test_money_in_another_language_than_the_page_leaves_the_page_language_alone():
    """A letter in the member's language, written while the page speaks another."""
    with translation.override("nl"):
        assert format_money(Decimal("1234.56"), language="fr") == "1\u00a0234,56\u00a0€"
        assert translation.get_language() == "nl"
        assert format_money(Decimal("1234.56")) == "€\u00a01.234,56"
