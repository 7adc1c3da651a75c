"""Pure functions of the members app: no ORM, no settings, easy to test exhaustively."""

from __future__ import annotations

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
