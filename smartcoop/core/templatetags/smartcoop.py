from __future__ import annotations

from decimal import Decimal

from django import template

from smartcoop.core.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str | None = None) -> str:
    """{{ amount|money }} or {{ amount|money:"SEK" }}: localised, with the currency symbol."""
    return format_money(amount, currency)


@register.filter
def percent(ratio: Decimal | None) -> str:
    if ratio is None:
        return ""
    from django.utils import formats

    value = (Decimal(ratio) * 100).normalize()
    exponent = value.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return f"{formats.number_format(value, decimal_pos=places, use_l10n=True)}\u00a0%"
