"""Reads of the payroll app, always scoped to what the user may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from activities import selectors as activity_selectors
from smartcoop.core.models import User

from . import calculations
from .models import TaxProfile


def tax_profile_history(*, member) -> QuerySet[TaxProfile]:
    """Every entry of the member's profile, newest first."""
    return TaxProfile.objects.filter(member=member).order_by("-valid_from")


def tax_profile_entry_at(*, member, on: date) -> TaxProfile | None:
    return (
        TaxProfile.objects.filter(member=member, valid_from__lte=on).order_by("-valid_from").first()
    )


def tax_profile_at(*, member, on: date) -> calculations.TaxProfile:
    """The profile the engines use on a date: the entry in force, or the legal default (single,
    no dependants) marked `is_default` when the member has not completed it."""
    entry = tax_profile_entry_at(member=member, on=on)
    if entry is None:
        return calculations.DEFAULT_TAX_PROFILE
    return calculations.TaxProfile(
        marital_status=calculations.MaritalStatus(entry.marital_status),
        partner_has_income=entry.partner_has_income,
        dependent_children=entry.dependent_children,
        disabled_children=entry.disabled_children,
        other_dependants=entry.other_dependants,
        disabled=entry.disabled,
        fr_pas_rate=entry.fr_pas_rate,
    )


def members_without_tax_profile_for_staff(*, user: User, entity, on: date):
    """Members with a contract in the staff member's entity (and office, for advisers) who
    have no tax profile in force on `on`: their withholding uses the legal default."""
    from members.models import Member

    contracts = activity_selectors.contract_list_for_staff(user=user, entity=entity)
    profile_in_force = TaxProfile.objects.filter(member=OuterRef("pk"), valid_from__lte=on)
    return (
        Member.objects.filter(pk__in=contracts.values("member_id"))
        .annotate(has_profile=Exists(profile_in_force))
        .filter(has_profile=False)
        .order_by("last_name", "first_name")
    )
