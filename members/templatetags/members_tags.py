from __future__ import annotations

from django import template

from smartcoop.core.payments import structured_communication_format

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def structured(digits: str) -> str:
    """Twelve digits as a Belgian structured communication: +++ddd/dddd/ddddd+++."""
    try:
        return structured_communication_format(digits)
    except ValueError:
        return digits
