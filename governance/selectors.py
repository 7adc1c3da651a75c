"""Reads of the governance app. Members see the assemblies they are on the voters' list of;
staff with `governance.manage_assemblies` see every assembly. Results exist once closed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from members.models import Member
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.roles import Permission, has_permission

from . import calculations
from .models import (
    Assembly,
    Ballot,
    Candidacy,
    Comment,
    Election,
    GroupMembership,
    Proxy,
    Recommendation,
    Resolution,
    ResolutionDocument,
    Statutes,
    Voter,
    VoteRecord,
    WorkingGroup,
)


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


def voter_get_for_user(*, user: User, assembly_public_id) -> Voter:
    """The signed-in person's own line on the assembly's voters' list, with the assembly and its
    statutes, in one query (the member record, with its encrypted fields, is not read)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return (
            Voter.objects.filter(member__user=user)
            .exclude(assembly__status=Assembly.Status.DRAFT)
            .select_related("assembly", "assembly__statutes")
            .get(assembly__public_id=assembly_public_id)
        )
    except (Voter.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def vote_target_get(
    *, user: User, assembly_public_id, resolution_public_id
) -> tuple[Voter, Resolution]:
    """The signed-in person's own line on a convened (or closed) assembly's voters' list and
    the resolution of that assembly they vote on, in one query, without the member record:
    what the vote service needs. Plain SQL because it runs on every vote (a third of the
    ORM's cost for the same two rows); 404 when either is not theirs to see."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    voter_fields = Voter._meta.concrete_fields
    resolution_fields = Resolution._meta.concrete_fields
    columns = [f"v.{f.column}" for f in voter_fields] + [f"r.{f.column}" for f in resolution_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM governance_voter v "  # noqa: S608 - field names
            "JOIN members_member m ON m.id = v.member_id "
            "JOIN governance_assembly a ON a.id = v.assembly_id "
            "JOIN governance_resolution r ON r.assembly_id = a.id "
            "WHERE m.user_id = %s AND a.public_id = %s AND a.status <> %s AND r.public_id = %s",
            [user.pk, assembly_public_id, Assembly.Status.DRAFT, resolution_public_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404
    split = len(voter_fields)
    db = connection.alias
    voter = Voter.from_db(db, [f.attname for f in voter_fields], row[:split])
    resolution = Resolution.from_db(db, [f.attname for f in resolution_fields], row[split:])
    return voter, resolution


def voters_list(*, assembly: Assembly) -> QuerySet[Voter]:
    return assembly.voters.select_related("member").order_by("member__member_number")


def voter_get(*, assembly: Assembly, public_id) -> Voter:
    try:
        return assembly.voters.select_related("member").get(public_id=public_id)
    except (Voter.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def voter_get_by_id(*, assembly_id: int, public_id) -> Voter:
    """A line of the voters' list of the assembly `assembly_id`, without its member."""
    try:
        return Voter.objects.get(assembly_id=assembly_id, public_id=public_id)
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
    for resolution in assembly.resolutions.filter(kind=Resolution.Kind.MOTION).order_by("position"):
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


# --- Board elections ----------------------------------------------------------------------------


def elections_of(*, assembly: Assembly) -> list[Election]:
    return list(
        Election.objects.filter(resolution__assembly=assembly)
        .select_related("resolution")
        .order_by("resolution__position")
    )


def election_get(*, assembly: Assembly, resolution_public_id) -> Election:
    try:
        return Election.objects.select_related("resolution__assembly").get(
            resolution__assembly=assembly, resolution__public_id=resolution_public_id
        )
    except (Election.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def candidacies_of(*, election: Election, confirmed_only: bool = False) -> list[Candidacy]:
    rows = election.candidacies.select_related("voter__member").order_by("number", "created_at")
    if confirmed_only:
        rows = rows.filter(status=Candidacy.Status.CONFIRMED)
    return list(rows)


def candidacy_of(*, election: Election, voter: Voter) -> Candidacy | None:
    return election.candidacies.filter(voter=voter).first()


def candidacy_get(*, assembly: Assembly, public_id) -> Candidacy:
    try:
        return Candidacy.objects.select_related("election__resolution", "voter__member").get(
            election__resolution__assembly=assembly, public_id=public_id
        )
    except (Candidacy.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def tie_priority(*, tie_rule: str, seed: str, candidacies: list[Candidacy]):
    """The ties rule as a sort key (lower is preferred). Seniority in the register: the member
    who joined first, then the lower member number. Lot: SHA-256 of "<seed>:<number>", the seed
    drawn at close and published, so anyone can redo the draw."""
    by_number = {c.number: c for c in candidacies}
    if tie_rule == Statutes.TieRule.LOT:
        return lambda n: hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()
    return lambda n: (
        by_number[n].voter.member.joined_on or date.max,
        by_number[n].voter.member.member_number or 0,
    )


@dataclass
class ElectionOutcome:
    resolution: Resolution
    election: Election
    method: str
    tie_rule: str
    candidates: dict[int, Candidacy]
    counts: list[calculations.SeatCount] = field(default_factory=list)
    ballots: int = 0

    @property
    def elected(self) -> list[Candidacy]:
        return [self.candidates[n] for c in self.counts for n in c.elected]


def election_results(*, assembly: Assembly) -> list[ElectionOutcome]:
    """Each election's count, per share category with seats: the ballots restricted to that
    category's candidates, counted by the statutes' method."""
    statutes = assembly.statutes
    outcomes = []
    for election in elections_of(assembly=assembly):
        candidacies = candidacies_of(election=election, confirmed_only=True)
        priority = tie_priority(
            tie_rule=statutes.election_tie_rule, seed=election.lot_seed, candidacies=candidacies
        )
        ballots = list(
            Ballot.objects.filter(resolution=election.resolution).values_list("marks", "weight")
        )
        count = (
            calculations.stv_count
            if statutes.election_method == Statutes.ElectionMethod.STV
            else calculations.approval_count
        )
        outcome = ElectionOutcome(
            resolution=election.resolution,
            election=election,
            method=statutes.election_method,
            tie_rule=statutes.election_tie_rule,
            candidates={c.number: c for c in candidacies if c.number is not None},
            ballots=len(ballots),
        )
        for category, seats in sorted(election.seats.items()):
            outcome.counts.append(
                count(
                    ballots=ballots,
                    candidates=[
                        c.number
                        for c in candidacies
                        if c.category == category and c.number is not None
                    ],
                    seats=int(seats),
                    priority=priority,
                    category=category,
                )
            )
        outcomes.append(outcome)
    return outcomes


# --- Working groups and recommendations ---------------------------------------------------------
# Every member reads every group and recommendation (the answers are for everyone to see);
# only the group's members publish, and only staff answer.


GROUPS_PAGE_SIZE = 50


def groups_list() -> QuerySet[WorkingGroup]:
    return WorkingGroup.objects.annotate(
        members_count=Count("memberships", distinct=True),
        recommendations_count=Count("recommendations", distinct=True),
    ).order_by("title")


def group_get(*, public_id) -> WorkingGroup:
    try:
        return WorkingGroup.objects.get(public_id=public_id)
    except (WorkingGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def group_members(*, group: WorkingGroup) -> QuerySet[GroupMembership]:
    return group.memberships.select_related("member").order_by("member__member_number")


def is_group_member(*, group: WorkingGroup, member: Member | None) -> bool:
    return member is not None and group.memberships.filter(member=member).exists()


def recommendations_of(*, group: WorkingGroup) -> QuerySet[Recommendation]:
    return (
        group.recommendations.select_related("author")
        .annotate(supports_count=Count("supports", distinct=True))
        .order_by("-created_at")
    )


def recommendation_get(*, public_id) -> Recommendation:
    try:
        return (
            Recommendation.objects.select_related("group", "author")
            .annotate(supports_count=Count("supports", distinct=True))
            .get(public_id=public_id)
        )
    except (Recommendation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def comments_of(*, recommendation: Recommendation) -> QuerySet[Comment]:
    return recommendation.comments.select_related("member").order_by("created_at")


def supports(*, recommendation: Recommendation, member: Member | None) -> bool:
    return member is not None and recommendation.supports.filter(member=member).exists()


# --- Documents of resolutions -------------------------------------------------------------------


def documents_of(*, assembly: Assembly) -> dict[int, list[ResolutionDocument]]:
    """The documents of the assembly's resolutions, by resolution id."""
    found: dict[int, list[ResolutionDocument]] = {}
    for document in ResolutionDocument.objects.filter(resolution__assembly=assembly).order_by(
        "resolution__position", "created_at"
    ):
        found.setdefault(document.resolution_id, []).append(document)
    return found


def document_get(*, assembly: Assembly, public_id) -> ResolutionDocument:
    try:
        return ResolutionDocument.objects.get(resolution__assembly=assembly, public_id=public_id)
    except (ResolutionDocument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
