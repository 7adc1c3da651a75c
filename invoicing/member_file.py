"""What invoicing contributes to the member 360° page (members.sections): the invoices and credit
notes of the member's Activities, read with `invoice_list` (the entity the staff member works
in; an adviser's office only)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from smartcoop.core.http import user_of
from smartcoop.core.roles import Permission
from smartcoop.core.tenancy import current_entity

from .selectors import invoice_list

LIMIT = 10


def _invoices(request: HttpRequest, member) -> dict | None:
    entity = current_entity(request)
    if entity is None:
        return None
    rows = (
        invoice_list(user=user_of(request), entity=entity)
        .filter(Q(activity__coordinator=member) | Q(activity__memberships__member=member))
        .distinct()
        .order_by("-issue_date", "-created_at")
    )
    return {"rows": list(rows[:LIMIT])}


def register() -> None:
    from members.sections import MemberSection, register_member_section

    register_member_section(
        MemberSection(
            "invoices",
            _("Invoices"),
            "invoicing/partials/member_file_invoices.html",
            _invoices,
            Permission.VIEW_INVOICES,
            order=22,
        )
    )
