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

from django.db import IntegrityError, transaction
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
    Proxy,
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


def may_vote_for(*, user: User, voter: Voter) -> bool:
    """The holder of the voter's live proxy, or else the member themself (who gave their vote
    away with the proxy)."""
    live = Proxy.objects.filter(grantor=voter, revoked_at__isnull=True)
    if live.exists():
        return live.filter(holder__member__user=user).exists()
    return voter.member.user_id == user.pk


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
    online = channel == VoteRecord.Channel.ONLINE
    if online and actor is not None and not may_vote_for(user=actor, voter=voter):
        raise PermissionDenied(_("You may not vote for this member."))
    with transaction.atomic():
        assembly = Assembly.objects.select_related("statutes").get(pk=resolution.assembly_id)
        if assembly.status != Assembly.Status.CONVENED:
            raise Conflict(_("The vote is closed."), code="vote_closed")
        if channel == VoteRecord.Channel.ONLINE and not (
            assembly.vote_opens_at <= now < assembly.vote_closes_at
        ):
            raise Conflict(
                _("The online vote is open from %(opens)s to %(closes)s.")
                % {
                    "opens": timezone.localtime(assembly.vote_opens_at).strftime("%Y-%m-%d %H:%M"),
                    "closes": timezone.localtime(assembly.vote_closes_at).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                },
                code="vote_closed",
            )
        if channel == VoteRecord.Channel.ROOM and voter.attended_at is None:
            raise Conflict(
                _("Mark the member present before entering an in-room vote."), code="not_present"
            )
        try:
            with transaction.atomic():
                VoteRecord.objects.create(
                    resolution=resolution,
                    voter=voter,
                    channel=channel,
                    open_choice="" if resolution.secret else choice,
                )
        except IntegrityError:
            result = _change(assembly, resolution, voter, choice, change_code, marks or [])
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
            entity=assembly.entity,
            # Who voted and how (never the choice of a secret vote).
            data={
                "voter": str(voter.member.public_id),
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
    assembly: Assembly,
    resolution: Resolution,
    voter: Voter,
    choice: str,
    change_code: str,
    marks: list[int],
) -> CastResult:
    if not assembly.statutes.vote_changes_allowed:
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
