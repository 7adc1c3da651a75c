"""What Activities contribute to the member 360° page (members.sections): the member's
Activities with their available budget, their contracts and their expense claims, each read with
the staff selectors (the entity the staff member works in; an adviser's office only)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from smartcoop.core.http import user_of
from smartcoop.core.roles import Permission, has_permission
from smartcoop.core.tenancy import current_entity

from . import selectors

LIMIT = 10


def _activities(request: HttpRequest, member) -> dict | None:
    entity = current_entity(request)
    if entity is None:
        return None
    rows = (
        selectors.activity_list_for_staff(user=user_of(request), entity=entity)
        .filter(Q(coordinator=member) | Q(memberships__member=member))
        .distinct()
    )
    return {
        "rows": list(rows[:LIMIT]),
        "linked": has_permission(request.user, Permission.VALIDATE_ACTIVITIES)
        or has_permission(request.user, Permission.ADJUST_LEDGER),
        "member": member,
    }


def _contracts(request: HttpRequest, member) -> dict | None:
    entity = current_entity(request)
    if entity is None:
        return None
    rows = selectors.contract_list_for_staff(user=user_of(request), entity=entity).filter(
        member=member
    )
    return {
        "rows": list(rows.order_by("-start_date", "-id")[:LIMIT]),
        "linked": has_permission(request.user, Permission.VALIDATE_CONTRACTS),
    }


def _claims(request: HttpRequest, member) -> dict | None:
    entity = current_entity(request)
    if entity is None:
        return None
    rows = selectors.expense_claim_list_for_staff(user=user_of(request), entity=entity).filter(
        member=member
    )
    return {
        "rows": list(rows.order_by("-created_at")[:LIMIT]),
        "linked": has_permission(request.user, Permission.APPROVE_EXPENSES),
    }


def register() -> None:
    from members.sections import MemberSection, register_member_section

    register_member_section(
        MemberSection(
            "activities",
            _("Activities"),
            "activities/partials/member_file_activities.html",
            _activities,
            Permission.BACKOFFICE_ACCESS,
            order=20,
        )
    )
    register_member_section(
        MemberSection(
            "contracts",
            _("Employment contracts"),
            "activities/partials/member_file_contracts.html",
            _contracts,
            Permission.BACKOFFICE_ACCESS,
            order=21,
        )
    )
    register_member_section(
        MemberSection(
            "expense_claims",
            _("Expense claims"),
            "activities/partials/member_file_claims.html",
            _claims,
            Permission.BACKOFFICE_ACCESS,
            order=23,
        )
    )
