"""Reads of the governance app. Members see the assemblies they are on the voters' list of;
staff with `governance.manage_assemblies` see every assembly. Results exist once closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from members.models import Member
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.roles import Permission, has_permission

from . import calculations
from .models import Assembly, Ballot, Proxy, Resolution, Statutes, Voter, VoteRecord


def statutes_in_force(*, entity: LegalEntity, on: date) -> Statutes | None:
    return (
        Statutes.objects.filter(entity=entity, valid_from__lte=on).order_by("-valid_from").first()
    )


def statutes_for_entity(*, entity: LegalEntity) -> QuerySet[Statutes]:
    return Statutes.objects.filter(entity=entity).order_by("-valid_from")


def assemblies_for_staff(*, user: User) -> QuerySet[Assembly]:
    if not has_permission(user, Permission.MANAGE_ASSEMBLIES):
        return Assembly.objects.none()
    return Assembly.objects.select_related("entity", "statutes").order_by("-starts_at")


def assembly_get_for_staff(*, user: User, public_id) -> Assembly:
    try:
        return assemblies_for_staff(user=user).get(public_id=public_id)
    except (Assembly.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def voter_lines_of_member(*, member: Member) -> QuerySet[Voter]:
    """The member's lines on the voters' lists: the assemblies they are convened to."""
    return (
        Voter.objects.filter(member=member)
        .exclude(assembly__status=Assembly.Status.DRAFT)
        .select_related("assembly", "assembly__statutes")
        .order_by("-assembly__starts_at")
    )


def voter_get_for_member(*, member: Member, assembly_public_id) -> Voter:
    try:
        return voter_lines_of_member(member=member).get(assembly__public_id=assembly_public_id)
    except (Voter.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def voters_list(*, assembly: Assembly) -> QuerySet[Voter]:
    return assembly.voters.select_related("member").order_by("member__member_number")


def voter_get(*, assembly: Assembly, public_id) -> Voter:
    try:
        return assembly.voters.select_related("member").get(public_id=public_id)
    except (Voter.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def proxies_of_assembly(*, assembly: Assembly) -> QuerySet[Proxy]:
    return (
        assembly.proxies.filter(revoked_at__isnull=True)
        .select_related("grantor__member", "holder__member")
        .order_by("holder__member__member_number")
    )


def proxy_given_by(*, voter: Voter) -> Proxy | None:
    return (
        Proxy.objects.filter(grantor=voter, revoked_at__isnull=True)
        .select_related("holder__member")
        .first()
    )


def proxies_held_by(*, voter: Voter) -> list[Proxy]:
    return list(
        Proxy.objects.filter(holder=voter, revoked_at__isnull=True).select_related(
            "grantor__member"
        )
    )


def voted_resolution_ids(*, voter: Voter) -> set[int]:
    return set(VoteRecord.objects.filter(voter=voter).values_list("resolution_id", flat=True))


def resolution_get(*, assembly: Assembly, public_id) -> Resolution:
    try:
        return assembly.resolutions.get(public_id=public_id)
    except (Resolution.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Ballot box and results -------------------------------------------------------------------


def ballots_of(*, resolution: Resolution) -> list[tuple[str, str, int]]:
    """(college, choice, weight) of every vote on `resolution`: the secret ballot box, or the
    named choices of an open vote."""
    if resolution.secret:
        return list(
            Ballot.objects.filter(resolution=resolution).values_list("college", "choice", "weight")
        )
    return list(
        VoteRecord.objects.filter(resolution=resolution).values_list(
            "voter__college", "open_choice", "voter__weight"
        )
    )


def college_totals(*, assembly: Assembly) -> dict[str, int]:
    rows = assembly.voters.values("college").annotate(total=Sum("weight"))
    return {row["college"]: row["total"] for row in rows}


@dataclass
class ResolutionOutcome:
    resolution: Resolution
    result: calculations.ResolutionResult


def assembly_results(*, assembly: Assembly) -> list[ResolutionOutcome]:
    statutes = assembly.statutes
    totals = college_totals(assembly=assembly)
    quorum_required = not (
        assembly.second_convocation and statutes.second_convocation_without_quorum
    )
    outcomes = []
    for resolution in assembly.resolutions.order_by("position"):
        result = calculations.tally(
            ballots=ballots_of(resolution=resolution),
            totals=totals,
            majority=resolution.majority,
            abstentions_count=statutes.abstentions_count,
            quorum_percent=statutes.quorum_percent,
            college_quorum_percent=statutes.college_quorum_percent,
            quorum_required=quorum_required,
            by_college=statutes.colleges_by_category,
        )
        outcomes.append(ResolutionOutcome(resolution, result))
    return outcomes


def published_ballots(*, assembly: Assembly) -> QuerySet[Ballot]:
    """The secret ballots of a closed assembly, for anyone to check and recount (by receipt:
    a random order that says nothing of when a ballot was cast)."""
    return (
        Ballot.objects.filter(
            resolution__assembly=assembly, resolution__assembly__status=Assembly.Status.CLOSED
        )
        .select_related("resolution")
        .order_by("resolution__position", "receipt")
    )


def closed_assembly_get(*, public_id) -> Assembly:
    try:
        return Assembly.objects.get(public_id=public_id, status=Assembly.Status.CLOSED)
    except (Assembly.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def online_voter_count(*, assembly: Assembly) -> int:
    """Voters who voted online on at least one resolution."""
    return (
        VoteRecord.objects.filter(resolution__assembly=assembly, channel=VoteRecord.Channel.ONLINE)
        .values("voter_id")
        .distinct()
        .count()
    )


def participation(*, assembly: Assembly) -> list[dict]:
    """Per resolution: how many voters voted (the "has voted" table) and how many secret ballots
    are in the box. Published with the ballots, so anyone can see that no ballot was added."""
    voted = dict(
        VoteRecord.objects.filter(resolution__assembly=assembly)
        .values("resolution_id")
        .annotate(n=Count("voter_id"))
        .values_list("resolution_id", "n")
    )
    boxed = dict(
        Ballot.objects.filter(resolution__assembly=assembly)
        .values("resolution_id")
        .annotate(n=Count("receipt"))
        .values_list("resolution_id", "n")
    )
    return [
        {
            "resolution": r,
            "voters": voted.get(r.pk, 0),
            "ballots": boxed.get(r.pk, 0) if r.secret else None,
        }
        for r in assembly.resolutions.order_by("position")
    ]
