"""Money is Decimal, quantized once with the country pack's precision and rounding mode."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TypedDict

from django.utils import formats, translation

from smartcoop.countries import CountryPack, current_pack

ZERO = Decimal("0.00")


def quantize_money(amount: Decimal | int | str, *, pack: CountryPack | None = None) -> Decimal:
    """Round an amount to the currency's precision with the pack's rounding mode.

    Floats are refused: they cannot represent most cents exactly."""
    if isinstance(amount, float):
        raise TypeError("money must be Decimal, never float")
    pack = pack or current_pack()
    exponent = Decimal(1).scaleb(-pack.currency_decimals)
    return Decimal(amount).quantize(exponent, rounding=pack.rounding)


CURRENCY_SYMBOLS = {"EUR": "€", "SEK": "kr"}
# Where the symbol goes in each language: "before" (€ 1.234,56 / €1,234.56) or "after".
SYMBOL_POSITION = {
    "nl": "before_space",
    "en": "before",
    "fr": "after",
    "de": "after",
    "es": "after",
    "it": "after",
    "sv": "after",
}


MINUS = "\u2212"


def format_money(
    amount: Decimal | None, currency: str | None = None, language: str | None = None
) -> str:
    """An amount as people of the active language write it: € 1.234,56 / 1 234,56 € / €1,234.56.

    The one place a negative amount gets its sign: a true minus (U+2212) in front of the whole
    amount, symbol included ("\\u2212€1,636.50"), never "€-1,636.50"."""
    if amount is None:
        return ""
    if quantize_money(amount) < 0:
        return MINUS + format_money(-amount, currency, language)
    pack = current_pack()
    currency = currency or pack.currency
    active = translation.get_language()
    language = (language or active or pack.languages[0])[:2]
    if language == active:
        # A page formats each of its amounts in its own language: activating that language
        # again for each figure cost twice the formatting itself.
        number = formats.number_format(
            quantize_money(amount),
            decimal_pos=pack.currency_decimals,
            use_l10n=True,
            force_grouping=True,
        )
    else:
        with translation.override(language):
            number = formats.number_format(
                quantize_money(amount),
                decimal_pos=pack.currency_decimals,
                use_l10n=True,
                force_grouping=True,
            )
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    position = SYMBOL_POSITION.get(language, "before")
    if position == "before":
        return f"{symbol}{number}"
    if position == "before_space":
        return f"{symbol}\u00a0{number}"
    return f"{number}\u00a0{symbol}"


def parse_amount(text: str) -> Decimal:
    """An amount as people type it, whatever the page's language: "1.234,56", "1,234.56",
    "1 234,56", "329,20", "329.20" or "1234". The last "," or "." followed by one or two digits
    is the decimal mark; other separators group thousands. Raises InvalidOperation otherwise."""
    compact = "".join(text.split()).replace("\u00a0", "").replace("'", "")
    if not compact or compact.count("-") > 1:
        raise InvalidOperation(text)
    mark = max(compact.rfind(","), compact.rfind("."))
    if mark != -1 and 1 <= len(compact) - mark - 1 <= 2:
        whole, decimals = compact[:mark], compact[mark + 1 :]
    else:
        whole, decimals = compact, ""
    whole = whole.replace(",", "").replace(".", "")
    if not whole.lstrip("-").isdigit() or (decimals and not decimals.isdigit()):
        raise InvalidOperation(text)
    return Decimal(f"{whole}.{decimals}" if decimals else whole)


def format_percent(ratio: Decimal | None) -> str:
    """A ratio as a localised percentage with the digits it has: 0.105 → "10,5 %" in Dutch."""
    if ratio is None:
        return ""
    value = (Decimal(ratio) * 100).normalize()
    exponent = value.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return f"{formats.number_format(value, decimal_pos=places, use_l10n=True)}\u00a0%"


class MoneyDigits(TypedDict):
    """`max_digits`/`decimal_places` of a money column, typed so `**MONEY` type-checks."""

    max_digits: int
    decimal_places: int
