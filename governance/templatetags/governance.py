"""Template filters of the governance pages: vote counts that may be fractions (STV transfers)
and looking a candidate up by number."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def votes(value) -> str:
    """A count of votes: whole numbers as they are, fractions (STV) to two decimals, rounded
    down so a displayed count never exceeds the exact one."""
    if isinstance(value, Fraction) and value.denominator != 1:
        hundredths = value.numerator * 100 // value.denominator
        return formats.number_format(Decimal(hundredths) / 100, 2)
    return str(int(value))


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
