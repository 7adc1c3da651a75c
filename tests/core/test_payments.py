from decimal import Decimal

import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st

from smartcoop.core.payments import (
    SCHEME_BE_OGM,
    SCHEME_ISO11649,
    creditor_reference,
    epc_qr_payload,
    epc_qr_reference,
    epc_qr_svg,
    payment_reference,
    payment_reference_clean,
    payment_reference_find,
    payment_reference_format,
    structured_communication,
    structured_communication_find,
    structured_communication_format,
    structured_communication_is_valid,
)


def test_published_structured_communication_examples():
    # hapytex/belgian-structured-communication README and the lowest possible one.
    assert structured_communication_format(structured_communication(1234567890)) == (
        "+++123/4567/89002+++"
    )
    assert structured_communication_format(structured_communication(0)) == "+++000/0000/00097+++"


def test_a_remainder_of_zero_is_written_97():
    assert structured_communication(97 * 1000) == f"{97 * 1000:010d}97"


@given(st.integers(min_value=0, max_value=10**10 - 1))
def test_every_generated_communication_is_valid_and_one_wrong_digit_is_caught(base):
    digits = structured_communication(base)
    assert structured_communication_is_valid(structured_communication_format(digits))
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert not structured_communication_is_valid(wrong)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("VIREMENT +++123/4567/89002+++ MERCI", "123456789002"),
        ("***123/4567/89002***", "123456789002"),
        ("ref 123456789002 facture", "123456789002"),
        ("ref 1234567890021 (13 digits)", None),
        ("+++123/4567/89003+++", None),
        ("BE68 5390 0754 7034", None),
    ],
)
def test_structured_communications_are_found_in_bank_statement_text(text, found):
    assert structured_communication_find(text) == found


def test_the_epc_payload_follows_the_guidelines_line_by_line():
    payload = epc_qr_payload(
        name="SmartCoop",
        iban="BE68 5390 0754 7034",
        bic="GKCCBEBB",
        amount=Decimal("30"),
        text="+++123/4567/89002+++",
    )
    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "GKCCBEBB",
        "SmartCoop",
        "BE68539007547034",
        "EUR30.00",
        "",
        "",
        "+++123/4567/89002+++",
    ]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("0"), "between"),
        (Decimal("1000000000"), "between"),
        (Decimal("1.005"), "two decimals"),
    ],
)
def test_impossible_amounts_are_refused(amount, message):
    with pytest.raises(ValueError, match=message):
        epc_qr_payload(name="X", iban="BE68539007547034", amount=amount, text="t")


def test_the_qr_code_is_an_accessible_svg_with_error_correction_m():
    payload = epc_qr_payload(
        name="SmartCoop", iban="BE68539007547034", amount=Decimal("30"), text="+++123/4567/89002+++"
    )
    assert segno.make_qr(payload, error="m", boost_error=False).error == "M"
    svg = str(epc_qr_svg(payload, label='Pay "now"'))
    assert svg.startswith("<svg") and 'aria-label="Pay &quot;now&quot;"' in svg


def test_more_published_and_edge_examples():
    # Example used by the cooperative's members app, the *** print form, and remainder 0 → 97.
    assert structured_communication_is_valid("+++090/9337/55493+++")
    assert structured_communication_format(structured_communication(909337554)) == (
        "+++090/9337/55493+++"
    )
    assert structured_communication_is_valid("***090/9337/55493***")
    assert structured_communication(97) == "000000009797"
    assert not structured_communication_is_valid("+++000/0000/09700+++")
    assert not structured_communication_is_valid("+++090/9337/5549+++")
    assert not structured_communication_is_valid("hello")
    with pytest.raises(ValueError):
        structured_communication(10_000_000_000)


@given(
    st.integers(min_value=0, max_value=10**10 - 1),
    st.integers(min_value=0, max_value=11),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_typo_is_detected(base, position, delta):
    digits = list(structured_communication(base))
    digits[position] = str((int(digits[position]) + delta) % 10)
    assert not structured_communication_is_valid("".join(digits))


def test_iso_11649_creditor_reference_published_example():
    # ISO 11649's own example: reference 539007547034 → RF18 5390 0754 7034.
    assert creditor_reference("539007547034") == "RF18539007547034"
    assert payment_reference_format("RF18539007547034") == "RF18 5390 0754 7034"
    assert payment_reference(101, scheme=SCHEME_ISO11649) == "RF900000000101"
    assert payment_reference(101, scheme=SCHEME_BE_OGM) == structured_communication(101)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("paid RF18 5390 0754 7034 thanks", "RF18539007547034"),
        ("ref:rf18539007547034", "RF18539007547034"),
        ("RF19 5390 0754 7034", None),  # wrong check digits
        ("invoice SF2026-000001 RF900000000101", "RF900000000101"),
        # A Belgian structured communication, when valid, is read first.
        ("+++090/9337/55493+++ and RF18539007547034", "090933755493"),
    ],
)
def test_creditor_references_are_found_in_bank_statement_text(text, found):
    assert payment_reference_find(text) == found


def test_references_read_from_a_statement_are_cleaned_or_refused():
    assert payment_reference_clean(" rf18 5390 0754 7034 ") == "RF18539007547034"
    assert payment_reference_clean("+++090/9337/55493+++") == "090933755493"
    assert payment_reference_clean("RF18539007547035") is None
    assert payment_reference_clean("12") is None


def test_a_creditor_reference_goes_in_line_10_of_the_qr_code():
    payload = epc_qr_payload(
        name="Smart France",
        iban="FR7630006000011234567890189",
        amount=Decimal("1151.50"),
        **epc_qr_reference("RF900000000101"),
    )
    lines = payload.split("\n")
    assert lines[9] == "RF900000000101" and len(lines) == 10  # no free text after it
    belgian = epc_qr_payload(
        name="SmartCoop",
        iban="BE68539007547034",
        amount=Decimal("30"),
        **epc_qr_reference(structured_communication(1234567890)),
    )
    assert belgian.split("\n")[10] == "+++123/4567/89002+++"
