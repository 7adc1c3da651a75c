"""Reads of the payroll app, always scoped to what the user may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from activities import selectors as activity_selectors
from smartcoop.core.bulk import any_of
from smartcoop.core.models import User

from . import calculations
from .models import Payslip, TaxProfile


def tax_profile_history(*, member) -> QuerySet[TaxProfile]:
    """Every entry of the member's profile, newest first."""
    return TaxProfile.objects.filter(member=member).order_by("-valid_from")


def tax_profile_entry_at(*, member, on: date) -> TaxProfile | None:
    return (
        TaxProfile.objects.filter(member=member, valid_from__lte=on).order_by("-valid_from").first()
    )


def _engine_profile(entry: TaxProfile | None) -> calculations.TaxProfile:
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


def tax_profile_at(*, member, on: date) -> calculations.TaxProfile:
    """The profile the engines use on a date: the entry in force, or the legal default (single,
    no dependants) marked `is_default` when the member has not completed it."""
    return _engine_profile(tax_profile_entry_at(member=member, on=on))


def tax_profiles_at(*, member_ids, on: date) -> dict[int, calculations.TaxProfile]:
    """`tax_profile_at` of many members in one query (a pay run's chunk)."""
    entries = {
        entry.member_id: entry
        for entry in TaxProfile.objects.filter(any_of("member_id", member_ids), valid_from__lte=on)
        .order_by("member_id", "-valid_from")
        .distinct("member_id")
    }
    return {pk: _engine_profile(entries.get(pk)) for pk in member_ids}


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


def payslips_of_member(*, member):
    """The member's approved payslips in every entity, newest first, with their PDF."""
    from .models import Payslip

    return (
        Payslip.objects.filter(member=member, status=Payslip.Status.APPROVED)
        .select_related("document", "corrects", "entity")
        .order_by("-pay_date", "-number")
    )


def correction_settlements_of_member(*, member):
    """The differences of the member's corrected payslips, in every entity, newest first: paid
    to them by transfer, or owed by them."""
    from .models import CorrectionSettlement

    return (
        CorrectionSettlement.objects.filter(member=member)
        .exclude(kind=CorrectionSettlement.Kind.NONE)
        .select_related("replacement", "corrected", "entity")
        .order_by("-created_at")[:200]
    )


def payslip_of_member(*, member, public_id) -> Payslip:
    """One of the member's own approved payslips; anyone else's is not found (404)."""
    from django.http import Http404

    payslip = payslips_of_member(member=member).filter(public_id=public_id).first()
    if payslip is None:
        raise Http404
    return payslip


def yearly_summaries(payslips) -> list[dict]:
    """Per year and employer (entity), what the member's tax return needs: gross, personal
    social contributions, taxable pay (the 281.10 amounts in Belgium, one form per employer;
    the cumulative net imposable in France), income tax withheld and net paid. Two employers'
    figures are never added up: they are two forms, maybe two countries. Corrections count
    negatively, as they reverse. `employer` is the entity's name when the payslips carry it."""
    from decimal import Decimal

    from .labels import TAX_CODES
    from .models import Payslip

    years: dict[tuple[int, int], dict] = {}
    for payslip in payslips:
        employer = payslip.entity.name if Payslip.entity.is_cached(payslip) else None
        year = years.setdefault(
            (payslip.pay_date.year, payslip.entity_id),
            {"year": payslip.pay_date.year, "entity_id": payslip.entity_id,
             "employer": employer, "payslips": [], "gross": Decimal("0"),
             "social": Decimal("0"), "taxable": Decimal("0"), "withheld": Decimal("0"),
             "net": Decimal("0")},
        )  # fmt: skip
        tax = sum(
            (Decimal(x["amount"]) for x in payslip.lines if x["code"] in TAX_CODES),
            Decimal("0"),
        )
        year["payslips"].append(payslip)
        year["gross"] += payslip.gross
        year["taxable"] += payslip.net_taxable
        # the engines' deduction lines are positive (a bonus that lowers them is negative)
        year["withheld"] += tax
        year["social"] += payslip.employee_deductions - tax
        year["net"] += payslip.net_pay
    return sorted(years.values(), key=lambda y: (-y["year"], y["employer"] or "", y["entity_id"]))
