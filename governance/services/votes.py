"""Casting a vote. One vote per voter and resolution (a unique constraint on the "has voted"
table decides between concurrent requests). A secret vote writes the choice to the ballot box,
which knows nothing of the voter: the voter gets the code `RECEIPT-KEY`; the receipt is
published with the ballot, the key (kept only as a hash) lets its holder change the ballot
until the vote closes when the statutes allow it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, PermissionDenied, ValidationFailed
from smartcoop.core.models import User

from ..models import (
    Assembly,
    Ballot,
    Candidacy,
    Choice,
    Resolution,
    Statutes,
    Voter,
    VoteRecord,
)

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely


def _code(length: int) -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(length))


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class CastResult:
    changed: bool
    code: str = ""  # secret votes: "RECEIPT-KEY", shown once to the voter


@dataclass(frozen=True)
class _VoterFacts:
    member_public_id: UUID
    member_user_id: int | None
    proxy_given: bool
    proxy_holder_user_id: int | None


def _voter_facts(voter: Voter) -> _VoterFacts:
    """What casting a vote needs to know of the voter, in one query and without reading the
    member record (its encrypted fields): the member's public id (for the audit trail), their
    user, and whether they gave a live proxy, to whom. (Plain SQL: run on every vote, it costs
    a tenth of the ORM's query with subqueries.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.public_id, m.user_id, p.id IS NOT NULL, hm.user_id "
            "FROM governance_voter v JOIN members_member m ON m.id = v.member_id "
            "LEFT JOIN governance_proxy p ON p.grantor_id = v.id AND p.revoked_at IS NULL "
            "LEFT JOIN governance_voter h ON h.id = p.holder_id "
            "LEFT JOIN members_member hm ON hm.id = h.member_id "
            "WHERE v.id = %s",
            [voter.pk],
        )
        return _VoterFacts(*cursor.fetchone())


def _may_vote(facts: _VoterFacts, user: User) -> bool:
    if facts.proxy_given:
        return facts.proxy_holder_user_id == user.pk
    return facts.member_user_id == user.pk


def may_vote_for(*, user: User, voter: Voter) -> bool:
    """The holder of the voter's live proxy, or else the member themself (who gave their vote
    away with the proxy)."""
    return _may_vote(_voter_facts(voter), user)


def _record_vote(resolution: Resolution, voter: Voter, channel: str, open_choice: str) -> bool:
    """Write the "has voted" row; False when the voter has voted on this resolution already.
    The unique constraint decides between concurrent requests: the second waits for the first
    to commit, then writes nothing (no savepoint, no exception)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO governance_voterecord (resolution_id, voter_id, channel, open_choice) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (resolution_id, voter_id) DO NOTHING "
            "RETURNING id",
            [resolution.pk, voter.pk, channel, open_choice],
        )
        return cursor.fetchone() is not None


def _vote_window(assembly_id: int) -> tuple[str, datetime, datetime, int]:
    """(status, opens, closes, entity) of the assembly, read under a key-share lock: closing
    the vote (which locks the row for update) waits for the votes being written, and a vote
    that waited for the close sees it closed, so no ballot slips in beside the published
    results. Concurrent votes do not wait for each other."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, vote_opens_at, vote_closes_at, entity_id FROM governance_assembly "
            "WHERE id = %s FOR KEY SHARE",
            [assembly_id],
        )
        return cursor.fetchone()


def vote_cast(
    *,
    actor: User | None,
    resolution: Resolution,
    voter: Voter,
    choice: str = "",
    channel: str = VoteRecord.Channel.ONLINE,
    change_code: str = "",
    marks: list[int] | None = None,
    now: datetime | None = None,
) -> CastResult:
    """Cast `voter`'s vote on `resolution`: a motion's `choice`, or an election's `marks`
    (candidate numbers: the approved ones, or the preferences in order; none is a blank
    ballot). Changing a vote needs the statutes' leave and, for a secret vote, the code."""
    now = now or timezone.now()
    if resolution.kind == Resolution.Kind.ELECTION:
        marks = _election_marks(resolution, marks or [])
        choice = ""
    elif choice not in Choice.values:
        raise ValidationFailed(_("Choose for, against or abstain."), field="choice")
    if voter.assembly_id != resolution.assembly_id:
        raise ValidationFailed(_("This voter is not on this assembly's list."))
    facts = _voter_facts(voter)
    online = channel == VoteRecord.Channel.ONLINE
    if online and actor is not None and not _may_vote(facts, actor):
        raise PermissionDenied(_("You may not vote for this member."))
    with transaction.atomic():
        status, opens, closes, entity_id = _vote_window(resolution.assembly_id)
        if status != Assembly.Status.CONVENED:
            raise Conflict(_("The vote is closed."), code="vote_closed")
        if online and not (opens <= now < closes):
            raise Conflict(
                _("The online vote is open from %(opens)s to %(closes)s.")
                % {
                    "opens": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
                    "closes": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M"),
                },
                code="vote_closed",
            )
        if channel == VoteRecord.Channel.ROOM and voter.attended_at is None:
            raise Conflict(
                _("Mark the member present before entering an in-room vote."), code="not_present"
            )
        if not _record_vote(resolution, voter, channel, "" if resolution.secret else choice):
            result = _change(resolution, voter, choice, change_code, marks or [])
        else:
            code = ""
            if resolution.secret:
                receipt, key = _code(10), _code(16)
                Ballot.objects.create(
                    receipt=receipt,
                    resolution=resolution,
                    college=voter.college,
                    weight=voter.weight,
                    choice=choice,
                    marks=marks or [],
                    change_key_hash=_hash(key),
                )
                code = f"{receipt}-{key}"
            result = CastResult(changed=False, code=code)
        audit_log(
            actor=actor,
            action="governance.vote.changed" if result.changed else "governance.vote.cast",
            target=resolution,
            entity=entity_id,
            # Who voted and how (never the choice of a secret vote).
            data={
                "voter": str(facts.member_public_id),
                "channel": channel,
                **({} if resolution.secret else {"choice": choice}),
            },
        )
    return result


def _election_marks(resolution: Resolution, marks: list[int]) -> list[int]:
    numbers = set(
        Candidacy.objects.filter(
            election__resolution=resolution, status=Candidacy.Status.CONFIRMED
        ).values_list("number", flat=True)
    )
    if len(set(marks)) != len(marks) or not set(marks) <= numbers:
        raise ValidationFailed(_("Mark each candidate of the ballot at most once."), field="marks")
    if resolution.assembly.statutes.election_method == Statutes.ElectionMethod.APPROVAL:
        return sorted(marks)
    return list(marks)


def _change(
    resolution: Resolution,
    voter: Voter,
    choice: str,
    change_code: str,
    marks: list[int],
) -> CastResult:
    statutes = Statutes.objects.only("vote_changes_allowed").get(assemblies=resolution.assembly_id)
    if not statutes.vote_changes_allowed:
        raise Conflict(_("This member has already voted on this resolution."), code="already_voted")
    if not resolution.secret:
        VoteRecord.objects.filter(resolution=resolution, voter=voter).update(open_choice=choice)
        return CastResult(changed=True)
    receipt, _sep, key = change_code.strip().upper().partition("-")
    ballot = (
        Ballot.objects.select_for_update().filter(resolution=resolution, receipt=receipt).first()
    )
    if not key or ballot is None or not secrets.compare_digest(ballot.change_key_hash, _hash(key)):
        raise Conflict(
            _(
                "This member has already voted on this resolution. To change a secret vote, "
                "give the full code received when voting."
            ),
            code="already_voted",
        )
    ballot.choice = choice
    ballot.marks = marks
    ballot.save(update_fields=["choice", "marks"])
    return CastResult(changed=True, code=change_code.strip().upper())
