"""How people pay the cooperative: the payment reference a transfer carries (the Belgian
structured communication, or the international ISO 11649 creditor reference "RF…" elsewhere,
chosen by the country pack's `payment_reference_scheme`) and the EPC QR code.

Shared by share subscriptions (members) and invoices (invoicing), so both print the same thing
and a bank statement line is matched the same way."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import segno
from django.utils.safestring import SafeString, mark_safe
from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

# --- Belgian structured communication (OGM / VCS) ---------------------------------------------
# Twelve digits: a ten-digit base and two check digits = base mod 97, a remainder of 0 written
# 97 (Febelfin standard; python-stdnum `stdnum/be/ogm_vcs.py`; shared/RULES.md §4.8).

_PRINTED = re.compile(r"([+*]{3})\s*(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})\s*\1")


def structured_communication(base: int) -> str:
    """The twelve digits of the structured communication of `base` (0 to 9,999,999,999)."""
    if not 0 <= base < 10**10:
        raise ValueError("the base of a structured communication has at most ten digits")
    return f"{base:010d}{base % 97 or 97:02d}"


def structured_communication_format(digits: str) -> str:
    """+++ddd/dddd/ddddd+++, as printed on an invoice or a transfer form."""
    if len(digits) != 12 or not digits.isdigit():
        raise ValueError("a structured communication has twelve digits")
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def structured_communication_is_valid(value: str) -> bool:
    """Whether `value` (printed with +++ or ***, or the bare twelve digits) checks out."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 12 or len(value.strip().strip("+*").replace("/", "").replace(" ", "")) != 12:
        return False
    return (int(digits[:10]) % 97 or 97) == int(digits[10:])


def structured_communication_find(text: str) -> str | None:
    """The first valid structured communication in a bank statement's free text, or None.

    Looks for the printed forms first (+++…+++ or ***…***), then for a bare run of exactly
    twelve digits, so that an amount or an account number is not mistaken for one."""
    for match in _PRINTED.finditer(text):
        digits = "".join(match.groups()[1:])
        if structured_communication_is_valid(digits):
            return digits
    for run in re.findall(r"(?<!\d)\d{12}(?!\d)", text):
        if structured_communication_is_valid(run):
            return run
    return None


# --- ISO 11649 creditor reference (RF) and the choice between the two -------------------------

SCHEME_BE_OGM = "be-ogm"
SCHEME_ISO11649 = "iso11649"
_RF_START = re.compile(r"(?<![A-Z0-9])RF\d{2}")


def creditor_reference(reference: str) -> str:
    """ "RF" + two check digits (ISO 7064 mod 97-10, as for IBANs) + `reference` (1 to 21
    letters or digits), compact: creditor_reference("539007547034") == "RF18539007547034"."""
    reference = reference.replace(" ", "").upper()
    if not 1 <= len(reference) <= 21 or not reference.isalnum():
        raise ValueError("an ISO 11649 reference has 1 to 21 letters or digits")
    return f"RF{mod_97_10.calc_check_digits(reference + 'RF')}{reference}"


def payment_reference(base: int, *, scheme: str) -> str:
    """The reference of a payment numbered `base` (0 to 9,999,999,999) in the pack's scheme."""
    if scheme == SCHEME_BE_OGM:
        return structured_communication(base)
    if not 0 <= base < 10**10:
        raise ValueError("the base of a payment reference has at most ten digits")
    return creditor_reference(f"{base:010d}")


def payment_reference_format(value: str) -> str:
    """As printed for people: +++ddd/dddd/ddddd+++ or "RF18 5390 0754 7034"."""
    if value.startswith("RF"):
        return iso11649.format(value)
    return structured_communication_format(value)


def payment_reference_clean(value: str) -> str | None:
    """The stored form of a reference read from a statement (OGM digits or compact RF), or None
    when `value` is neither a valid structured communication nor a valid creditor reference."""
    if not value:
        return None
    compact = value.replace(" ", "").upper()
    if compact.startswith("RF"):
        return compact if iso11649.is_valid(compact) else None
    if structured_communication_is_valid(value):
        return "".join(ch for ch in value if ch.isdigit())
    return None


def payment_reference_find(text: str) -> str | None:
    """The first valid structured communication or creditor reference in free text, or None."""
    found = structured_communication_find(text)
    if found:
        return found
    # Printed in groups of four or compact: try the whole groups after "RFdd", longest first,
    # so "RF18 5390 0754 7034 thanks" gives the reference and not a made-up longer one.
    upper = text.upper()
    for match in _RF_START.finditer(upper):
        groups = upper[match.start() :].split()[:7]
        for count in range(len(groups), 0, -1):
            candidate = payment_reference_clean("".join(groups[:count]))
            if candidate and len(candidate) <= 25:
                return candidate
    return None


def payment_reference_label(value: str) -> str:
    """What the reference is called next to it on a document or a page."""
    from django.utils.translation import gettext

    return (
        gettext("Payment reference")
        if value.startswith("RF")
        else gettext("Structured communication")
    )


def epc_qr_reference(value: str) -> dict[str, str]:
    """Where a reference goes in the EPC QR code: a creditor reference in its own line 10, a
    Belgian structured communication (printed with its +++) in the free-text line 11."""
    if value.startswith("RF"):
        return {"creditor_reference": value}
    return {"text": structured_communication_format(value)}


# --- EPC QR code (EPC069-12 version 002; shared/RULES.md §4.9) ---------------------------------


def epc_qr_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    bic: str = "",
    text: str = "",
    creditor_reference: str = "",
) -> str:
    """The text of a SEPA credit-transfer QR code, which banking apps read to prefill a transfer.

    Version 002 (BIC optional in the EEA), UTF-8, lines in the guidelines' order, trailing empty
    lines left out, at most 331 bytes. Line 10 is for ISO 11649 creditor references only; a
    Belgian structured communication goes, printed with its +++, in the free-text line 11, which
    Belgian banks recognise (the spec leaves no other place for it)."""
    if text and creditor_reference:
        raise ValueError("an EPC QR code carries a creditor reference or a text, not both")
    if not Decimal("0.01") <= amount <= Decimal("999999999.99"):
        raise ValueError("the amount of an EPC QR code is between 0.01 and 999,999,999.99")
    if len(name) > 70 or len(text) > 140 or len(creditor_reference) > 35:
        raise ValueError("a field is longer than the EPC QR code allows")
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if cents != amount:
        raise ValueError("the amount of an EPC QR code has at most two decimals")
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        bic.replace(" ", "").upper(),
        name,
        iban.replace(" ", "").upper(),
        f"EUR{cents:.2f}",
        "",
        creditor_reference,
        text,
    ]
    while lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    if len(payload.encode("utf-8")) > 331:
        raise ValueError("an EPC QR payload has at most 331 bytes")
    return payload


def epc_qr(payload: str) -> segno.QRCode:
    """Error correction level M, as the guidelines require, and the payload's bytes in UTF-8,
    the character set its third line declares. Left to itself, segno writes text that fits
    ISO 8859-1 (a name with "é") in Latin-1, which a banking app reading UTF-8 garbles."""
    return segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")


def epc_qr_svg(payload: str, *, label: str = "EPC QR code") -> SafeString:
    """The QR code as an inline, scalable SVG element for pages."""
    svg = epc_qr(payload).svg_inline(scale=4, border=2, dark="#1b2430", omitsize=True)
    # The SVG is segno's own markup around our payload; only the label is ours to escape.
    from django.utils.html import escape

    return mark_safe(
        svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" class="qr" ', 1)
    )


def epc_qr_svg_data_uri(payload: str) -> str:
    """The QR code as an SVG data URI, for an <img> on a page."""
    return epc_qr(payload).svg_data_uri(scale=3, border=2)


def epc_qr_png_data_uri(payload: str) -> str:
    """The QR code as a small PNG data URI for PDFs (lays out faster than hundreds of rects)."""
    return epc_qr(payload).png_data_uri(scale=4, border=2)
