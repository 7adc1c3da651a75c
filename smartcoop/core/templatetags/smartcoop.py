from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from smartcoop.core.money import format_money, format_percent

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str | None = None) -> str:
    """{{ amount|money }} or {{ amount|money:"SEK" }}: localised, with the currency symbol.

    Accepts Decimals and the decimal strings kept in snapshots and JSON (quote lines, payment
    plan instalments), so no page ever shows a raw "1150.00"."""
    if isinstance(amount, str):
        amount = Decimal(amount) if amount.strip() else None
    return format_money(amount, currency)


@register.filter
def whole(value) -> str:
    """A whole number of euros for a chart's axis, grouped the reader's way, with the true minus
    every amount has (\u22122.669, not -2.669)."""
    if value in (None, ""):
        return ""
    from django.utils import formats

    from smartcoop.core.money import MINUS

    number = Decimal(str(value)).quantize(Decimal(1))
    text = formats.number_format(abs(number), decimal_pos=0, use_l10n=True, force_grouping=True)
    return MINUS + text if number < 0 else text


@register.filter
def break_at_dots(value) -> str:
    """A dotted code ("invoicing.transmission.delivered") that may wrap after its dots, never
    inside a word (the value escaped, the <wbr> safe)."""
    return mark_safe(".<wbr>".join(conditional_escape(part) for part in str(value).split(".")))


@register.filter
def nobreak(value) -> str:
    """A reference kept on one line ("VP2026-000003" never split at its hyphen), also inside
    {% blocktranslate %} (the span is safe, the value escaped)."""
    return format_html('<span class="nowrap">{}</span>', value)


@register.filter
def percent(ratio: Decimal | None) -> str:
    return format_percent(ratio)


@register.filter
def amount(value) -> str:
    """A money amount without its currency, localised: 1.234,56 / 1 234,56 / 1,234.56.

    Accepts Decimals and the decimal strings kept in issued documents' snapshots."""
    if value in (None, ""):
        return ""
    from django.utils import formats

    from smartcoop.core.money import quantize_money

    return formats.number_format(
        quantize_money(Decimal(str(value))), decimal_pos=2, use_l10n=True, force_grouping=True
    )


@register.filter
def quantity(value) -> str:
    """A quantity as people write it: no useless zeros, the local decimal mark (1,5 / 1.5)."""
    if value in (None, ""):
        return ""
    from django.utils import formats

    number = Decimal(str(value)).normalize()
    exponent = number.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def unit_price(value) -> str:
    """A unit price as money is written (65,00 next to a line total of 520,00), with its third
    and fourth decimals only when it has them (12,3456)."""
    if value in (None, ""):
        return ""
    from django.utils import formats

    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    places = min(4, max(2, -exponent)) if isinstance(exponent, int) else 2
    return formats.number_format(
        Decimal(str(value)), decimal_pos=places, use_l10n=True, force_grouping=True
    )


@register.filter
def isodate(value):
    """An ISO date string (as stored in snapshots) as a date, to format with |date."""
    from datetime import date

    if not value or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@register.simple_tag
def identifier_label(country: str, kind: str) -> str:
    """{% identifier_label s.issuer.country "enterprise_number" %}: what that country calls the
    identifier ("Enterprise number (KBO/BCE)", "SIREN number"), or the generic name when no
    country pack knows it."""
    from django.utils.text import capfirst
    from django.utils.translation import gettext

    from smartcoop.countries import IdentifierKind, available_countries, load_pack

    generic = {
        IdentifierKind.ENTERPRISE_NUMBER: gettext("Enterprise number"),
        IdentifierKind.VAT_NUMBER: gettext("VAT number"),
    }
    identifier_kind = IdentifierKind(kind)
    code = (country or "").upper()
    if code in available_countries():
        identifier = load_pack(code).identifier(identifier_kind)
        if identifier is not None:
            return str(capfirst(str(identifier.label)))
    return generic.get(identifier_kind, kind)


@register.filter
def iban(value: str | None) -> str:
    """An IBAN as printed for people, in groups of four: FR76 4255 9100 …"""
    compact = "".join((value or "").split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@register.filter
def can(obj, step: str) -> bool:
    """`{% if contract|can:"validate" %}`: whether the object's status machine allows the step
    (see `smartcoop.core.steps`)."""
    return bool(obj.can(step))


LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": None}
LOGO_MAX_BYTES = 200_000


@register.filter
def logo_data_uri(entity) -> str:
    """{{ entity|logo_data_uri }}: the entity's logo as a data: URI for pages without an account
    (uploaded files are not served publicly, and the page's CSP allows images from data:).
    PNG and JPEG up to 200 kB; anything else, a missing file or no entity gives ""."""
    import base64
    from pathlib import PurePath

    logo = getattr(entity, "logo", None)
    if not logo:
        return ""
    mime = LOGO_TYPES.get(PurePath(logo.name).suffix.lower())
    if mime is None:  # SVG could carry scripts: not inlined
        return ""
    try:
        with logo.open("rb") as handle:
            content = handle.read(LOGO_MAX_BYTES + 1)
    except OSError:
        return ""
    if len(content) > LOGO_MAX_BYTES:
        return ""
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"
