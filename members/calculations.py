"""Pure functions of the members app: no ORM, no settings, easy to test exhaustively."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

MIN_AGE = 16
MAX_AGE = 120


def age_on(*, birth_date: date, on: date) -> int:
    """Completed years of age on `on` (someone born on 29 February turns a year older on 1 March
    in common years)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


# --- Belgian structured communication (gestructureerde mededeling / communication structurée) ---
# Twelve digits: ten digits of reference + two check digits = the reference modulo 97, where a
# remainder of 0 is written 97 (Febelfin, "Standard for the structured communication").

_STRUCTURED_RE = re.compile(
    r"^\+{3}(\d{3})/(\d{4})/(\d{5})\+{3}$|^\*{3}(\d{3})/(\d{4})/(\d{5})\*{3}$"
)


def structured_check_digits(base: int) -> int:
    if not 0 <= base <= 9_999_999_999:
        raise ValueError("a structured communication reference has at most ten digits")
    remainder = base % 97
    return remainder or 97


def structured_reference(base: int) -> str:
    """The twelve digits (ten of reference, two check digits) of `base`."""
    return f"{base:010d}{structured_check_digits(base):02d}"


def format_structured(digits: str) -> str:
    """+++ddd/dddd/ddddd+++ as printed on a transfer form."""
    if len(digits) != 12 or not digits.isdigit():
        raise ValueError("a structured communication has twelve digits")
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def is_valid_structured(value: str) -> bool:
    """Whether `value` (printed form or twelve digits) has the right check digits."""
    value = value.strip()
    match = _STRUCTURED_RE.match(value)
    digits = "".join(g for g in match.groups() if g) if match else value
    if len(digits) != 12 or not digits.isdigit():
        return False
    return structured_check_digits(int(digits[:10])) == int(digits[10:])


# --- EPC QR code (EPC069-12 "Quick Response Code: guidelines to enable data capture for the
# initiation of a SEPA credit transfer", version 002) ---


def epc_qr_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    bic: str = "",
    structured: str = "",
    text: str = "",
) -> str:
    """The text encoded in an EPC QR code, line by line as the guidelines order them.

    Version 002 makes the BIC optional inside the EEA; character set 1 is UTF-8. The amount is
    "EUR" followed by at most two decimals, between 0.01 and 999999999.99. Either a structured
    reference (Belgian banks read the twelve digits of the structured communication there) or
    a free text is given, never both. Trailing empty lines are left out."""
    if bool(structured) == bool(text):
        raise ValueError("give either a structured reference or a text, not both")
    if not Decimal("0.01") <= amount <= Decimal("999999999.99"):
        raise ValueError("the EPC QR amount must be between 0.01 and 999999999.99")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("the EPC QR amount has at most two decimals")
    if len(name) > 70 or len(structured) > 35 or len(text) > 140:
        raise ValueError("a field is longer than the EPC QR code allows")
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        bic.replace(" ", ""),
        name,
        iban.replace(" ", "").upper(),
        f"EUR{amount:.2f}",
        "",  # purpose code
        structured,
        text,
    ]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


# --- Register of members ---


@dataclass(frozen=True)
class Holding:
    category: str
    shares: int
    amount: Decimal


def holdings(entries: Iterable[tuple[str, int, Decimal]]) -> list[Holding]:
    """Shares and paid-up amount per category from (category, shares, amount) register lines,
    categories with nothing left dropped, sorted by category."""
    totals: dict[str, tuple[int, Decimal]] = {}
    for category, shares, amount in entries:
        count, value = totals.get(category, (0, Decimal("0.00")))
        totals[category] = (count + shares, value + amount)
    return [
        Holding(category, count, value)
        for category, (count, value) in sorted(totals.items())
        if count != 0
    ]


def mask_identifier(value: str) -> str:
    """A national number as staff without the right see it: only the last two digits."""
    compact = "".join(ch for ch in value if ch.isalnum())
    if not compact:
        return ""
    return "•" * max(len(compact) - 2, 4) + compact[-2:]
