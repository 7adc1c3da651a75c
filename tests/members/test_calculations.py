from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from members import calculations as calc

# --- Structured communication -------------------------------------------------------------------


def test_a_published_structured_communication_is_valid():
    # The example printed in Belgian banks' explanations of the OGM/VCS.
    assert calc.is_valid_structured("+++090/9337/55493+++")
    assert calc.format_structured(calc.structured_reference(909337554)) == "+++090/9337/55493+++"


def test_remainder_zero_is_written_97():
    assert calc.structured_check_digits(97) == 97
    assert calc.structured_reference(97) == "000000009797"
    assert calc.format_structured("000000009797") == "+++000/0000/09797+++"
    assert calc.is_valid_structured("+++000/0000/09797+++")
    assert not calc.is_valid_structured("+++000/0000/09700+++")


def test_wrong_check_digits_or_shapes_are_refused():
    assert not calc.is_valid_structured("+++090/9337/55494+++")
    assert not calc.is_valid_structured("+++090/9337/5549+++")
    assert not calc.is_valid_structured("hello")
    assert calc.is_valid_structured("***090/9337/55493***")  # the alternative print form
    with pytest.raises(ValueError):
        calc.structured_reference(10_000_000_000)


@given(st.integers(min_value=0, max_value=9_999_999_999))
def test_every_reference_gets_check_digits_between_1_and_97(base):
    digits = calc.structured_reference(base)
    assert len(digits) == 12
    assert 1 <= int(digits[10:]) <= 97
    assert calc.is_valid_structured(calc.format_structured(digits))


@given(
    st.integers(min_value=0, max_value=9_999_999_999),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_typo_is_detected(base, position, delta):
    digits = list(calc.structured_reference(base))
    digits[position] = str((int(digits[position]) + delta) % 10)
    assert not calc.is_valid_structured("".join(digits))


# --- EPC QR payload -----------------------------------------------------------------------------


def test_epc_payload_follows_the_epc069_12_layout():
    payload = calc.epc_qr_payload(
        name="SmartCoop",
        iban="BE71 0961 2345 6769",
        bic="GKCCBEBB",
        amount=Decimal("30.00"),
        structured="800000000154",
    )
    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "GKCCBEBB",
        "SmartCoop",
        "BE71096123456769",
        "EUR30.00",
        "",
        "800000000154",
    ]


def test_epc_payload_refuses_what_banks_would_refuse():
    with pytest.raises(ValueError):
        calc.epc_qr_payload(name="X", iban="BE71096123456769", amount=Decimal("0"), text="t")
    with pytest.raises(ValueError):
        calc.epc_qr_payload(
            name="X", iban="BE71096123456769", amount=Decimal("1"), text="t", structured="1"
        )
    with pytest.raises(ValueError):
        calc.epc_qr_payload(name="X", iban="BE71096123456769", amount=Decimal("1.005"), text="t")


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
