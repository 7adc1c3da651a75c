"""Invoicing maths: no ORM. Money is Decimal, rounded by `quantize_money` (the pack's precision and
rounding mode: cents, half up, for BE and FR).

Rounding (documented here once): each line's net amount is quantity x unit price rounded to the
cent; lines are summed per VAT category and rate; a document discount is one
allowance per category, rounded to the cent; the VAT of a category is (category base - its
allowance) x rate, rounded once to the cent. Totals are sums of these printed amounts, so the
printed lines always add up (EN 16931 BR-CO-10/13/14/15/17) and VAT is rounded at the level of the
VAT breakdown, never per line (Belgian e-invoicing rules, shared/RULES.md §4.1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from smartcoop.core.money import quantize_money

ZERO = Decimal("0.00")

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


# --- VAT decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VatDecision:
    regime: str  # domestic | exempt | reverse_charge | outside_eu
    explanation: str
    mention: str = ""
    # For non-domestic regimes every line gets this category; domestic lines keep their rate.
    category: str = ""
    exemption_code: str = ""  # VATEX code (Peppol BT-121)


class VatRuleError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def vat_decide(
    *,
    supplier_country: str,
    client_is_business: bool,
    client_country: str,
    client_vat_number: str,
    lines_exempt: bool = False,
    texts: dict[str, str],
) -> VatDecision:
    """Which VAT treatment applies to a supply of services, and why.

    General rule for services (VAT Directive art. 44/45; BE VAT Code art. 21 §2 and 21bis):
    a business customer established elsewhere accounts for the VAT where it is established; a
    consumer pays the supplier's VAT. `texts` holds translated explanations and mentions, keyed
    as in `vat_texts()` (kept out of this pure module so it stays free of Django).
    """
    supplier_country = supplier_country.upper()
    client_country = client_country.upper()
    if lines_exempt:
        return VatDecision(
            "exempt",
            texts["exempt_explanation"],
            texts["exempt_mention"],
            "E",
            "VATEX-EU-132",
        )
    if not client_is_business or client_country == supplier_country:
        why = "domestic_explanation" if client_is_business else "consumer_explanation"
        return VatDecision("domestic", texts[why])
    if client_country in EU_COUNTRIES:
        if not client_vat_number:
            raise VatRuleError(texts["reverse_charge_needs_vat"], "vat_number")
        return VatDecision(
            "reverse_charge",
            texts["reverse_charge_explanation"],
            texts["reverse_charge_mention"],
            "AE",
            "VATEX-EU-AE",
        )
    return VatDecision(
        "outside_eu",
        texts["outside_eu_explanation"],
        texts["outside_eu_mention"],
        "O",
        "VATEX-EU-O",
    )


def line_vat(
    *, decision_category: str, rate_code: str, rates: dict[str, Decimal]
) -> tuple[str, Decimal]:
    """(UNCL5305 category, rate as a ratio) of one line."""
    if decision_category:
        return decision_category, Decimal("0")
    if rate_code == "exempt":
        return "E", Decimal("0")
    rate = Decimal(rates[rate_code])
    return ("S" if rate > 0 else "Z"), rate


# --- Totals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    category: str
    rate: Decimal


@dataclass(frozen=True)
class VatGroup:
    category: str
    rate: Decimal
    lines_total: Decimal
    allowance: Decimal
    taxable: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    line_totals: tuple[Decimal, ...]
    groups: tuple[VatGroup, ...]
    lines_total: Decimal
    allowance_total: Decimal
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    extra: dict = field(default_factory=dict)


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return quantize_money(Decimal(quantity) * Decimal(unit_price))


def compute_totals(lines: Sequence[LineInput], *, discount_rate: Decimal = Decimal("0")) -> Totals:
    """Totals by the rounding rule in the module docstring. `discount_rate` is a percentage."""
    if not Decimal("0") <= discount_rate < Decimal("100"):
        raise ValueError("a discount is between 0 and 100 %")
    line_totals = tuple(line_total(line.quantity, line.unit_price) for line in lines)
    buckets: dict[tuple[str, Decimal], Decimal] = {}
    for line, amount in zip(lines, line_totals, strict=True):
        key = (line.category, Decimal(line.rate).normalize())
        buckets[key] = buckets.get(key, ZERO) + amount
    groups = []
    for (category, rate), base in sorted(buckets.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        allowance = quantize_money(base * discount_rate / Decimal(100))
        taxable = base - allowance
        groups.append(
            VatGroup(category, rate, base, allowance, taxable, quantize_money(taxable * rate))
        )
    lines_total = sum(line_totals, ZERO)
    allowance_total = sum((g.allowance for g in groups), ZERO)
    total_excl = lines_total - allowance_total
    total_vat = sum((g.vat for g in groups), ZERO)
    return Totals(
        line_totals,
        tuple(groups),
        lines_total,
        allowance_total,
        total_excl,
        total_vat,
        total_excl + total_vat,
    )


# --- Late payment ------------------------------------------------------------------------------


def statutory_rate_from_reference(reference_rate: Decimal, *, margin: Decimal) -> Decimal:
    """Belgian B2B late-payment interest: ECB main refinancing rate + 8 points, rounded up to the
    next half point (Law of 2 August 2002 art. 5). Rates as ratios (0.0215 → 0.105)."""
    percent = (Decimal(reference_rate) + Decimal(margin)) * 100
    halves = (percent * 2).to_integral_value(rounding=ROUND_CEILING)
    return (halves / Decimal(2) / Decimal(100)).quantize(Decimal("0.0001"))


def late_interest(*, amount: Decimal, annual_rate: Decimal, days: int) -> Decimal:
    """Simple interest: amount x rate x days / 365, rounded to the cent (bpifrance formula, also
    the usual Belgian practice)."""
    if days <= 0 or amount <= 0:
        return ZERO
    return quantize_money(Decimal(amount) * Decimal(annual_rate) * Decimal(days) / Decimal(365))


def late_interest_by_period(
    *, amount: Decimal, rates: Sequence[tuple[date, Decimal]], since: date, until: date
) -> Decimal:
    """Simple interest on `amount` for each day after `since` up to `until` included, every day
    at the rate in force that day, rounded to the cent once. `rates` are the dated values of the
    rate, (valid_from, annual rate) in date order: the statutory rates are fixed per semester
    (Belgium: Law of 2 August 2002 art. 5; France: C. com. L441-10), so a delay that crosses
    1 January or 1 July runs at two rates."""
    if until <= since or amount <= 0:
        return ZERO
    total = Decimal("0")
    for index, (start, rate) in enumerate(rates):
        end = rates[index + 1][0] if index + 1 < len(rates) else None
        first = max(start, since + timedelta(days=1))
        last = min(end - timedelta(days=1), until) if end else until
        if last >= first:
            total += Decimal(amount) * Decimal(rate) * Decimal((last - first).days + 1)
    return quantize_money(total / Decimal(365))


def consumer_damages_cap(principal: Decimal, *, brackets: Iterable[dict]) -> Decimal:
    """Maximum lump-sum damages a consumer may be charged (Book XIX CEL art. XIX.4):
    ≤ 150 → 20; 150.01-500 → 30 + 10 % above 150; > 500 → 65 + 5 % above 500, max 2,000.
    `brackets` come from the dated parameter `be.consumer_damages_brackets`."""
    principal = Decimal(principal)
    for bracket in brackets:
        upper = bracket.get("up_to")
        if upper is None or upper == "" or principal <= Decimal(upper):
            base = Decimal(bracket["fixed"])
            above = Decimal(bracket.get("above", "0"))
            rate = Decimal(bracket.get("rate", "0"))
            amount = base + max(principal - above, ZERO) * rate
            cap = bracket.get("max")
            if cap not in (None, ""):
                amount = min(amount, Decimal(cap))
            return quantize_money(amount)
    return ZERO


def days_between(start: date, end: date) -> int:
    return max((end - start).days, 0)


def ceil_div(a: int, b: int) -> int:
    return math.ceil(a / b)
