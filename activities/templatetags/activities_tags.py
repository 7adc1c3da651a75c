from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

OK = {
    "active",
    "validated",
    "declared",
    "performed",
    "paid",
    "closed",
    "approved",
    "accepted",
    "repaid",
    "in_place",
    "disbursed",
}
BAD = {"cancelled", "rejected", "refused", "suspended", "missing"}


@register.filter
def status_class(status: str) -> str:
    """The badge colour of a status."""
    if status in OK:
        return "badge-ok"
    if status in BAD:
        return "badge-bad"
    return "badge-warn"


@register.filter
def negative(amount: Decimal | None) -> bool:
    return amount is not None and amount < 0


@register.filter
def neg(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else -amount


@register.filter
def plain(number: Decimal | None) -> str:
    """A coefficient or rate without trailing zeros, written the reader's way: 1.5700 → 1.57
    in English, 1,57 in Dutch, French and German."""
    if number is None:
        return ""
    text = format(Decimal(number).normalize(), "f")
    return number_format(Decimal(text), use_l10n=True)


@register.simple_tag
def contract_declaration_statuses(contract) -> list:
    """What the apps registered in `contract_events` say of this contract (e.g. its Dimona)."""
    from activities.contract_events import contract_statuses

    return contract_statuses(contract)
