"""Statutes, assemblies, resolutions, convocation, attendance and closing."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from members import selectors as member_selectors
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.validators import check_texts

from .. import calculations, selectors
from ..models import Assembly, Election, Resolution, Statutes, Voter


def statutes_create(
    *,
    actor: User | None,
    entity: LegalEntity,
    valid_from: date,
    weighting: str = Statutes.Weighting.PERSON,
    category_weights: dict[str, int] | None = None,
    colleges_by_category: bool = False,
    min_holding_days: int = 0,
    notice_days: int = 15,
    quorum_percent: Decimal = Decimal("0"),
    college_quorum_percent: Decimal = Decimal("0"),
    abstentions_count: bool = False,
    second_convocation_without_quorum: bool = True,
    proxy_max: int = 1,
    vote_changes_allowed: bool = True,
    secret_ballot: bool = True,
    election_method: str = Statutes.ElectionMethod.APPROVAL,
    election_tie_rule: str = Statutes.TieRule.SENIORITY,
) -> Statutes:
    for name, value in (
        ("quorum_percent", quorum_percent),
        ("college_quorum_percent", college_quorum_percent),
    ):
        if not Decimal(0) <= value <= Decimal(100):
            raise ValidationFailed(_("A quorum is a percentage between 0 and 100."), field=name)
    if Statutes.objects.filter(entity=entity, valid_from=valid_from).exists():
        raise ValidationFailed(
            _("A version of the statutes already starts on that day."), field="valid_from"
        )
    with transaction.atomic():
        statutes = Statutes.objects.create(
            entity=entity,
            valid_from=valid_from,
            weighting=weighting,
            category_weights=category_weights or {},
            colleges_by_category=colleges_by_category,
            min_holding_days=min_holding_days,
            notice_days=notice_days,
            quorum_percent=quorum_percent,
            college_quorum_percent=college_quorum_percent,
            abstentions_count=abstentions_count,
            second_convocation_without_quorum=second_convocation_without_quorum,
            proxy_max=proxy_max,
            vote_changes_allowed=vote_changes_allowed,
            secret_ballot=secret_ballot,
            election_method=election_method,
            election_tie_rule=election_tie_rule,
        )
        audit_log(
            actor=actor,
            action="governance.statutes.created",
            target=statutes,
            entity=entity,
            data={
                "valid_from": valid_from,
                "weighting": weighting,
                "proxy_max": proxy_max,
                "election_method": election_method,
                "election_tie_rule": election_tie_rule,
            },
        )
    return statutes


def assembly_create(
    *,
    actor: User | None,
    entity: LegalEntity,
    kind: str,
    title: str,
    starts_at: datetime,
    record_date: date,
    vote_opens_at: datetime,
    vote_closes_at: datetime,
    place: str = "",
    online_url: str = "",
    second_convocation: bool = False,
) -> Assembly:
    check_texts(title=title, place=place)
    if not title.strip():
        raise ValidationFailed(_("Give the assembly a title."), field="title")
    if vote_opens_at >= vote_closes_at:
        raise ValidationFailed(_("The vote must close after it opens."), field="vote_closes_at")
    if record_date > starts_at.date():
        raise ValidationFailed(
            _("The record date cannot be after the assembly."), field="record_date"
        )
    statutes = selectors.statutes_in_force(entity=entity, on=starts_at.date())
    if statutes is None:
        raise ValidationFailed(
            _("No statutes are in force for this entity on that date."), field="starts_at"
        )
    if second_convocation and not statutes.second_convocation_without_quorum:
        raise ValidationFailed(
            _("The statutes do not allow a second convocation without quorum."),
            field="second_convocation",
        )
    with transaction.atomic():
        assembly = Assembly.objects.create(
            entity=entity,
            statutes=statutes,
            kind=kind,
            title=title.strip(),
            starts_at=starts_at,
            place=place,
            online_url=online_url,
            record_date=record_date,
            vote_opens_at=vote_opens_at,
            vote_closes_at=vote_closes_at,
            second_convocation=second_convocation,
        )
        audit_log(
            actor=actor,
            action="governance.assembly.created",
            target=assembly,
            data={"starts_at": starts_at, "kind": kind, "record_date": record_date},
        )
    return assembly


def resolution_add(
    *, actor: User | None, assembly: Assembly, title: str, text: str = "", majority: str = "simple"
) -> Resolution:
    check_texts(title=title, text=text, multi_line=("text",))
    if not title.strip():
        raise ValidationFailed(_("Give the resolution a title."), field="title")
    if majority not in Resolution.Majority.values:
        raise ValidationFailed(_("Choose a majority rule."), field="majority")
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if not assembly.can("add_resolution"):
            raise Conflict(
                _("The agenda is fixed once the assembly is convened."), code="agenda_fixed"
            )
        position = assembly.resolutions.count() + 1
        resolution = Resolution.objects.create(
            assembly=assembly,
            position=position,
            title=title.strip(),
            text=text,
            majority=majority,
            secret=assembly.statutes.secret_ballot,
        )
        audit_log(
            actor=actor,
            action="governance.resolution.added",
            target=resolution,
            entity=assembly.entity,
            data={"assembly": str(assembly.public_id), "majority": majority},
        )
    return resolution


def convocation_deadline(assembly: Assembly) -> date:
    return assembly.starts_at.astimezone(timezone.get_current_timezone()).date() - timedelta(
        days=assembly.statutes.notice_days
    )


def assembly_convene(*, actor: User | None, assembly: Assembly, today: date | None = None) -> int:
    """Freeze the voters' list from the register at the record date and send the convocations
    (a Celery task, after commit, each in the member's language). Refused when it is too late
    for the statutory notice period. Returns the number of voters."""
    from ..tasks import send_convocations

    today = today or timezone.localdate()
    with transaction.atomic():
        assembly = (
            Assembly.objects.select_for_update().select_related("statutes").get(pk=assembly.pk)
        )
        if not assembly.can("convene"):
            raise Conflict(_("This assembly is already convened."), code="already_convened")
        if not assembly.resolutions.exists():
            raise ValidationFailed(_("Put at least one resolution on the agenda first."))
        deadline = convocation_deadline(assembly)
        if today > deadline:
            raise Conflict(
                _(
                    "Too late to convene: the statutes require %(days)s days' notice, so for an "
                    "assembly on %(date)s the convocation had to be sent by %(deadline)s "
                    "(today is %(today)s)."
                )
                % {
                    "days": assembly.statutes.notice_days,
                    "date": formats.date_format(assembly.starts_at.date()),
                    "deadline": formats.date_format(deadline),
                    "today": formats.date_format(today),
                },
                code="notice_too_short",
            )
        if assembly.record_date > today:
            raise ValidationFailed(
                _("The record date must have passed to freeze the voters' list."),
                field="record_date",
            )
        statutes = assembly.statutes
        at_record = member_selectors.holdings_by_member(
            entity=assembly.entity, on=assembly.record_date
        )
        at_start = at_record
        if statutes.min_holding_days:
            at_start = member_selectors.holdings_by_member(
                entity=assembly.entity,
                on=assembly.record_date - timedelta(days=statutes.min_holding_days),
            )
        voters = []
        for member_id, holdings in at_record.items():
            if statutes.min_holding_days:
                holdings = calculations.eligible_holdings(holdings, at_start.get(member_id, {}))
            right = calculations.voting_right(
                holdings=holdings,
                weighting=statutes.weighting,
                category_weights=statutes.category_weights,
                colleges_by_category=statutes.colleges_by_category,
            )
            if right is None:
                continue
            college, shares, weight = right
            voters.append(
                Voter(
                    assembly=assembly,
                    member_id=member_id,
                    college=college,
                    shares=shares,
                    weight=weight,
                )
            )
        Voter.objects.bulk_create(voters, batch_size=2000)
        assembly.status = Assembly.Status.CONVENED
        assembly.convened_at = timezone.now()
        assembly.save(update_fields=["status", "convened_at", "updated_at"])
        audit_log(
            actor=actor,
            action="governance.assembly.convened",
            target=assembly,
            data={"voters": len(voters), "record_date": assembly.record_date},
        )
        send_convocations.enqueue(assembly.pk)
    return len(voters)


def attendance_mark(*, actor: User | None, voter: Voter, present: bool) -> Voter:
    with transaction.atomic():
        voter = Voter.objects.select_for_update().select_related("assembly").get(pk=voter.pk)
        if not voter.assembly.can("mark_attendance"):
            raise Conflict(_("Attendance is taken while the assembly is open."), code="not_open")
        voter.attended_at = timezone.now() if present else None
        voter.save(update_fields=["attended_at", "updated_at"])
        audit_log(
            actor=actor,
            action="governance.attendance.marked",
            target=voter,
            entity=voter.assembly.entity,
            data={"present": present, "member": str(voter.member.public_id)},
        )
    return voter


def assembly_close(
    *, actor: User | None, assembly: Assembly, now: datetime | None = None
) -> Assembly:
    """Close the vote and publish the results (the ballot box is frozen by the database from
    here on). Closing before the announced end moves the end to now."""
    from ..tasks import render_minutes

    now = now or timezone.now()
    with transaction.atomic():
        assembly = (
            Assembly.objects.select_for_update(of=("self",))
            .select_related("statutes")
            .get(pk=assembly.pk)
        )
        if not assembly.can("close"):
            raise Conflict(_("Only a convened assembly can be closed."), code="not_open")
        if now < assembly.vote_opens_at:
            raise Conflict(_("The vote has not opened yet."), code="not_open_yet")
        if now < assembly.vote_closes_at:
            assembly.vote_closes_at = now
        if assembly.statutes.election_tie_rule == Statutes.TieRule.LOT:
            # Drawn now, once: the database freezes it with the closed vote.
            Election.objects.filter(resolution__assembly=assembly).update(
                lot_seed=secrets.token_hex(16)
            )
        assembly.status = Assembly.Status.CLOSED
        assembly.closed_at = now
        assembly.save(update_fields=["status", "closed_at", "vote_closes_at", "updated_at"])
        results = selectors.assembly_results(assembly=assembly)
        audit_log(
            actor=actor,
            action="governance.results.published",
            target=assembly,
            data={
                "resolutions": {
                    str(r.resolution.position): {
                        "for": r.result.overall.count.votes_for if r.result.overall else 0,
                        "against": r.result.overall.count.against if r.result.overall else 0,
                        "abstain": r.result.overall.count.abstain if r.result.overall else 0,
                        "adopted": r.result.adopted,
                    }
                    for r in results
                },
                "elections": {
                    str(e.resolution.position): {
                        "elected": [c.voter.member.member_number for c in e.elected],
                        "lot_seed": e.election.lot_seed,
                    }
                    for e in selectors.election_results(assembly=assembly)
                },
            },
        )
        render_minutes.enqueue(assembly.pk)
    return assembly
