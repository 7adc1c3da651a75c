from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing import calculations as calc
from smartcoop.core.money import quantize_money


def test_totals_round_each_line_then_sum_and_vat_per_rate():
    lines = [
        calc.LineInput(Decimal("3"), Decimal("33.3333"), "S", Decimal("0.21")),
        calc.LineInput(Decimal("1"), Decimal("0.005"), "S", Decimal("0.21")),
        calc.LineInput(Decimal("2"), Decimal("10"), "S", Decimal("0.06")),
    ]
    totals = calc.compute_totals(lines)
    assert totals.line_totals == (Decimal("100.00"), Decimal("0.01"), Decimal("20.00"))
    by_rate = {g.rate: g for g in totals.groups}
    assert by_rate[Decimal("0.21")].vat == Decimal("21.00")  # 100.01 * 21 % = 21.0021
    assert by_rate[Decimal("0.06")].vat == Decimal("1.20")
    assert totals.total_excl_vat == Decimal("120.01")
    assert totals.total_incl_vat == Decimal("142.21")


def test_document_discount_is_one_allowance_per_vat_group():
    lines = [
        calc.LineInput(Decimal("1"), Decimal("100"), "S", Decimal("0.21")),
        calc.LineInput(Decimal("1"), Decimal("50"), "S", Decimal("0.06")),
    ]
    totals = calc.compute_totals(lines, discount_rate=Decimal("10"))
    assert totals.allowance_total == Decimal("15.00")
    assert totals.total_excl_vat == Decimal("135.00")
    assert totals.total_vat == Decimal("18.90") + Decimal("2.70")


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4),
            st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=4),
            st.sampled_from([Decimal("0.21"), Decimal("0.12"), Decimal("0.06"), Decimal("0")]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=2),
)
def test_totals_always_equal_sum_of_printed_amounts(raw, discount):
    lines = [calc.LineInput(q, p, "S" if r else "Z", r) for q, p, r in raw]
    totals = calc.compute_totals(lines, discount_rate=discount)
    assert totals.lines_total == sum(totals.line_totals)
    assert totals.total_excl_vat == sum(g.taxable for g in totals.groups)
    assert totals.total_vat == sum(g.vat for g in totals.groups)
    assert totals.total_incl_vat == totals.total_excl_vat + totals.total_vat
    for g in totals.groups:
        assert g.vat == quantize_money(g.taxable * g.rate)


@pytest.mark.parametrize(
    ("ecb", "expected"),
    [("0.0450", "0.1250"), ("0.0215", "0.1050"), ("0.0315", "0.1150"), ("0.0200", "0.1000")],
)
def test_belgian_statutory_rate_is_ecb_plus_8_rounded_up_to_half_point(ecb, expected):
    assert calc.statutory_rate_from_reference(Decimal(ecb), margin=Decimal("0.08")) == Decimal(
        expected
    )


def test_late_interest_simple_per_day():
    assert calc.late_interest(amount=Decimal("1000"), annual_rate=Decimal("0.105"), days=35) == (
        Decimal("10.07")
    )
    assert calc.late_interest(amount=Decimal("1000"), annual_rate=Decimal("0.105"), days=0) == 0


def test_late_interest_runs_at_the_rate_of_each_semester_the_delay_crosses():
    from datetime import date

    rates = [
        (date(2025, 1, 1), Decimal("0.115")),
        (date(2025, 7, 1), Decimal("0.105")),
        (date(2026, 1, 1), Decimal("0.105")),
    ]
    # Due 20 June 2025, counted on 10 July: 10 days at 11.5 %, then 10 days at 10.5 %.
    crossing = calc.late_interest_by_period(
        amount=Decimal("1000"), rates=rates, since=date(2025, 6, 20), until=date(2025, 7, 10)
    )
    assert crossing == Decimal("6.03")  # 1000 x (0.115 x 10 + 0.105 x 10) / 365
    assert crossing != calc.late_interest(
        amount=Decimal("1000"), annual_rate=Decimal("0.105"), days=20
    )
    # Within one semester it is the simple formula.
    assert calc.late_interest_by_period(
        amount=Decimal("1000"), rates=rates, since=date(2026, 1, 1), until=date(2026, 2, 5)
    ) == calc.late_interest(amount=Decimal("1000"), annual_rate=Decimal("0.105"), days=35)
    assert (
        calc.late_interest_by_period(
            amount=Decimal("1000"), rates=rates, since=date(2026, 1, 1), until=date(2026, 1, 1)
        )
        == 0
    )


@pytest.mark.parametrize(
    ("principal", "cap"),
    [
        ("100", "20.00"),
        ("150", "20.00"),
        ("300", "45.00"),
        ("1000", "90.00"),
        ("100000", "2000.00"),
    ],
)
def test_consumer_damages_caps_book_xix(principal, cap):
    from datetime import date

    from smartcoop.countries import param

    brackets = param("be.consumer_damages_brackets", on=date(2026, 1, 1))
    assert calc.consumer_damages_cap(Decimal(principal), brackets=brackets) == Decimal(cap)


def test_vat_decision_matrix():
    from invoicing.vat import vat_texts

    texts = {k: k for k in vat_texts()}

    def decide(**kw):
        base = {
            "supplier_country": "BE",
            "client_is_business": True,
            "client_country": "BE",
            "client_vat_number": "BE0403170701",
            "texts": texts,
        }
        return calc.vat_decide(**(base | kw))

    assert decide().regime == "domestic"
    assert decide(client_is_business=False, client_country="FR", client_vat_number="").regime == (
        "domestic"
    )
    rc = decide(client_country="FR", client_vat_number="FR40303265045")
    assert (rc.regime, rc.category, rc.exemption_code) == ("reverse_charge", "AE", "VATEX-EU-AE")
    with pytest.raises(calc.VatRuleError) as error:
        decide(client_country="FR", client_vat_number="")
    assert error.value.field == "vat_number"
    assert decide(client_country="CH", client_vat_number="").category == "O"
    assert decide(lines_exempt=True).category == "E"
