"""Board elections: an election on the agenda (seats per share category), candidacies with a
statement (members stand, staff confirm eligibility or refuse with a reason), all before the
vote opens. The votes go through `votes.vote_cast` into the same secret ballot box; the count
(the statutes' method and ties rule) is in `selectors.election_results`."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members import selectors as member_selectors
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.notifications import notify
from smartcoop.core.validators import check_texts
from smartcoop.countries import current_pack

from ..models import Assembly, Candidacy, Election, Resolution, Voter

STATEMENT_MAX = 3000


def election_add(
    *, actor: User | None, assembly: Assembly, title: str, seats: dict[str, int], text: str = ""
) -> Resolution:
    """Put a board election on the agenda (a draft assembly's), with its seats per category."""
    check_texts(title=title, text=text, multi_line=("text",))
    if not title.strip():
        raise ValidationFailed(_("Give the election a title."), field="title")
    categories = {c.code for c in current_pack().share_categories}
    clean = {}
    for category, count in seats.items():
        if category not in categories:
            raise ValidationFailed(_("Unknown share category."), field="seats")
        if int(count) < 0:
            raise ValidationFailed(_("A number of seats cannot be negative."), field="seats")
        if int(count):
            clean[category] = int(count)
    if not clean:
        raise ValidationFailed(_("Give at least one seat."), field="seats")
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if not assembly.can("add_election"):
            raise Conflict(
                _("The agenda is fixed once the assembly is convened."), code="agenda_fixed"
            )
        resolution = Resolution.objects.create(
            assembly=assembly,
            position=assembly.resolutions.count() + 1,
            title=title.strip(),
            text=text,
            kind=Resolution.Kind.ELECTION,
            secret=True,
        )
        Election.objects.create(resolution=resolution, seats=clean)
        audit_log(
            actor=actor,
            action="governance.election.added",
            target=resolution,
            entity=assembly.entity,
            data={"assembly": str(assembly.public_id), "seats": clean},
        )
    return resolution


def _before_vote(assembly: Assembly, now: datetime) -> None:
    if not assembly.before_vote(now):
        raise Conflict(
            _("Candidacies are received and decided only until the vote opens."),
            code="candidacies_closed",
        )


def candidacy_apply(
    *,
    actor: User | None,
    election: Election,
    voter: Voter,
    statement: str,
    now: datetime | None = None,
) -> Candidacy:
    """A voter stands for a seat of the first share category they held at the record date
    among those with seats (A before B before C)."""
    now = now or timezone.now()
    check_texts(statement=statement, multi_line=("statement",))
    statement = statement.strip()
    if not statement:
        raise ValidationFailed(_("Tell the members why you stand."), field="statement")
    if len(statement) > STATEMENT_MAX:
        raise ValidationFailed(
            _("Keep the statement under %(n)s characters.") % {"n": STATEMENT_MAX},
            field="statement",
        )
    assembly = election.resolution.assembly
    if voter.assembly_id != assembly.pk:
        raise ValidationFailed(_("This voter is not on this assembly's list."))
    held = member_selectors.holdings_by_member(entity=assembly.entity, on=assembly.record_date)
    categories = sorted(c for c, n in held.get(voter.member_id, {}).items() if n > 0)
    category = next((c for c in categories if election.seats.get(c)), None)
    if category is None:
        raise ValidationFailed(
            _("You held no share of a category with a seat to fill on the record date."),
            field="statement",
        )
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        _before_vote(assembly, now)
        try:
            with transaction.atomic():
                candidacy = Candidacy.objects.create(
                    election=election, voter=voter, category=category, statement=statement
                )
        except IntegrityError:
            raise Conflict(
                _("You already stand in this election."), code="already_candidate"
            ) from None
        audit_log(
            actor=actor,
            action="governance.candidacy.applied",
            target=candidacy,
            entity=assembly.entity,
            data={"member": str(voter.member.public_id), "category": category},
        )
    return candidacy


def candidacy_decide(
    *,
    actor: User | None,
    candidacy: Candidacy,
    confirm: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Candidacy:
    """Staff confirm a candidacy (it gets the next number on the ballot) or refuse it with a
    reason; the candidate is told. Locks the assembly, then the candidacy."""
    now = now or timezone.now()
    reason = reason.strip()
    check_texts(reason=reason)
    if not confirm and not reason:
        raise ValidationFailed(_("Give the reason of the refusal."), field="reason")
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(
            pk=candidacy.election.resolution.assembly_id
        )
        _before_vote(assembly, now)
        candidacy = (
            Candidacy.objects.select_for_update(of=("self",))
            .select_related("voter__member__user", "election__resolution")
            .get(pk=candidacy.pk)
        )
        if not candidacy.can("decide"):
            raise Conflict(_("This candidacy is already decided."), code="already_decided")
        if confirm:
            last = candidacy.election.candidacies.aggregate(n=Max("number"))["n"] or 0
            candidacy.status = Candidacy.Status.CONFIRMED
            candidacy.number = last + 1
        else:
            candidacy.status = Candidacy.Status.REFUSED
            candidacy.refusal_reason = reason
        candidacy.decided_at = now
        candidacy.save(
            update_fields=["status", "number", "refusal_reason", "decided_at", "updated_at"]
        )
        audit_log(
            actor=actor,
            action="governance.candidacy.decided",
            target=candidacy,
            entity=assembly.entity,
            data={"status": candidacy.status, "reason": reason},
        )
        notify(
            user=candidacy.voter.member.user,
            kind="governance.candidacy_decided",
            params={"election": candidacy.election.resolution.title},
            url=reverse("governance:assembly", args=[assembly.public_id]),
        )
    return candidacy


def candidacy_withdraw(
    *, actor: User | None, candidacy: Candidacy, now: datetime | None = None
) -> Candidacy:
    """The candidate withdraws, until the vote opens: off the ballot (a confirmed candidate's
    number is left unused, the others keep theirs). Final for that election."""
    now = now or timezone.now()
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(
            pk=candidacy.election.resolution.assembly_id
        )
        _before_vote(assembly, now)
        candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
        if not candidacy.can("withdraw"):
            raise Conflict(
                _("Only a candidacy awaiting confirmation or confirmed can be withdrawn."),
                code="not_withdrawable",
            )
        number = candidacy.number
        candidacy.status = Candidacy.Status.WITHDRAWN
        candidacy.number = None
        candidacy.save(update_fields=["status", "number", "updated_at"])
        audit_log(
            actor=actor,
            action="governance.candidacy.withdrawn",
            target=candidacy,
            entity=assembly.entity,
            data={"number": number},
        )
    return candidacy
