"""Voting rights from the register at the record date, convocation, proxies, votes, results and
the immutability of a closed vote."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance import selectors, services, tasks
from governance.models import Assembly, Ballot, Voter, VoteRecord
from smartcoop.core.errors import Conflict, PermissionDenied, ValidationFailed
from smartcoop.core.models import AuditLogEntry
from tests.governance.conftest import RECORD, buy, during_vote, holder, open_assembly

pytestmark = pytest.mark.django_db


def test_rights_come_from_the_register_at_the_record_date(coop, statutes, clerk):
    early = holder(coop, shares={"A": 2})
    late = holder(coop, shares={"A": 1}, on=RECORD + timedelta(days=1))  # bought after
    buy(coop, early, "A", 5, RECORD + timedelta(days=1))  # later purchase changes nothing
    assembly = open_assembly(coop, clerk=clerk)
    lines = {v.member_id: v for v in selectors.voters_list(assembly=assembly)}
    assert set(lines) == {early.pk}
    assert (lines[early.pk].shares, lines[early.pk].weight) == (2, 1)
    assert late.pk not in lines


def test_weights_colleges_and_minimum_holding_period(coop, clerk):
    services.statutes_create(
        actor=None,
        entity=coop,
        valid_from=date(2020, 1, 1),
        weighting="shares",
        category_weights={"A": 1, "B": 2},
        colleges_by_category=True,
        min_holding_days=30,
    )
    a = holder(coop, shares={"A": 3})
    b = holder(coop, shares={"B": 2})
    buy(coop, b, "B", 4, RECORD - timedelta(days=5))  # inside the holding period: no vote
    newcomer = holder(coop, shares={"A": 1}, on=RECORD - timedelta(days=2))
    assembly = open_assembly(coop, clerk=clerk)
    lines = {v.member_id: v for v in selectors.voters_list(assembly=assembly)}
    assert (lines[a.pk].college, lines[a.pk].weight) == ("A", 3)
    assert (lines[b.pk].college, lines[b.pk].weight) == ("B", 4)
    assert newcomer.pk not in lines


def test_a_late_convocation_is_refused_with_the_dates(coop, statutes, clerk):
    holder(coop)
    assembly = open_assembly(coop, clerk=clerk, convene=False)
    # The notice period counts in local days (Brussels): at 23:30 UTC it is already tomorrow.
    too_late = timezone.localtime(assembly.starts_at).date() - timedelta(days=14)
    with pytest.raises(Conflict) as refused:
        services.assembly_convene(actor=clerk, assembly=assembly, today=too_late)
    assert "15 days" in refused.value.message
    assert str(too_late.year) in refused.value.message
    assert not Voter.objects.filter(assembly=assembly).exists()
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.DRAFT


def test_convocation_mail_in_the_members_language(coop, statutes, clerk, mailoutbox):
    nl = holder(coop, language="nl")
    en = holder(coop, language="en")
    assembly = open_assembly(coop, clerk=clerk)
    assert tasks.send_convocations(assembly.pk) == 2
    assert tasks.send_convocations(assembly.pk) == 0  # never twice
    by_to = {m.to[0]: m for m in mailoutbox}
    assert "Oproeping" in by_to[nl.email].subject
    assert "Convocation" in by_to[en.email].subject
    assert "Approve the accounts" in by_to[en.email].body


def test_no_convocation_is_sent_once_the_vote_is_closed(coop, statutes, clerk, mailoutbox):
    holder(coop, language="nl")
    assembly = open_assembly(coop, clerk=clerk)
    services.assembly_close(actor=clerk, assembly=assembly, now=during_vote(assembly))
    assert tasks.send_convocations(assembly.pk) == 0
    assert mailoutbox == []


def test_proxy_maximum_revocation_and_holder_votes_for_both(coop, statutes, clerk):
    grantor, second, holder_m = holder(coop), holder(coop), holder(coop)
    assembly = open_assembly(coop, clerk=clerk)
    lines = {v.member_id: v for v in selectors.voters_list(assembly=assembly)}
    before = assembly.vote_opens_at - timedelta(hours=1)
    proxy = services.proxy_sign(
        actor=grantor.user,
        grantor=lines[grantor.pk],
        holder_member_number=holder_m.member_number,
        now=before,
    )
    with pytest.raises(ValidationFailed) as refused:  # statutes: one proxy per holder
        services.proxy_sign(
            actor=second.user,
            grantor=lines[second.pk],
            holder_member_number=holder_m.member_number,
            now=before,
        )
    assert refused.value.field == "holder"
    services.proxy_revoke(actor=grantor.user, proxy=proxy, now=before)
    proxy = services.proxy_sign(
        actor=second.user,
        grantor=lines[second.pk],
        holder_member_number=holder_m.member_number,
        now=before,
    )
    with pytest.raises(Conflict):  # once the vote opens, no revocation
        services.proxy_revoke(actor=second.user, proxy=proxy, now=during_vote(assembly))
    resolution = assembly.resolutions.get()
    when = during_vote(assembly)
    services.vote_cast(
        actor=holder_m.user, resolution=resolution, voter=lines[holder_m.pk], choice="for", now=when
    )
    services.vote_cast(
        actor=holder_m.user,
        resolution=resolution,
        voter=lines[second.pk],
        choice="against",
        now=when,
    )
    with pytest.raises(PermissionDenied):  # the grantor gave their vote away with the proxy
        services.vote_cast(
            actor=second.user, resolution=resolution, voter=lines[second.pk], choice="for", now=when
        )
    with pytest.raises(PermissionDenied):  # the revoked proxy gives nothing
        services.vote_cast(
            actor=holder_m.user,
            resolution=resolution,
            voter=lines[grantor.pk],
            choice="for",
            now=when,
        )
    assert VoteRecord.objects.filter(resolution=resolution).count() == 2
    assert AuditLogEntry.objects.filter(action="governance.proxy.signed").count() == 2
    assert AuditLogEntry.objects.filter(action="governance.proxy.revoked").count() == 1


def test_secret_vote_receipt_change_and_one_vote_per_voter(coop, statutes, clerk):
    m = holder(coop)
    assembly = open_assembly(coop, clerk=clerk)
    voter = Voter.objects.get(assembly=assembly, member=m)
    resolution = assembly.resolutions.get()
    when = during_vote(assembly)
    first = services.vote_cast(
        actor=m.user, resolution=resolution, voter=voter, choice="for", now=when
    )
    receipt = first.code.split("-")[0]
    with pytest.raises(Conflict):  # a second vote without the code
        services.vote_cast(
            actor=m.user, resolution=resolution, voter=voter, choice="against", now=when
        )
    changed = services.vote_cast(
        actor=m.user,
        resolution=resolution,
        voter=voter,
        choice="against",
        change_code=first.code,
        now=when,
    )
    assert changed.changed
    assert list(Ballot.objects.values_list("receipt", "choice")) == [(receipt, "against")]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says it too
        VoteRecord.objects.create(resolution=resolution, voter=voter, channel="online")


def test_changes_refused_when_the_statutes_forbid_them(coop, clerk):
    services.statutes_create(
        actor=None,
        entity=coop,
        valid_from=date(2020, 1, 1),
        vote_changes_allowed=False,
        secret_ballot=False,
    )
    m = holder(coop)
    assembly = open_assembly(coop, clerk=clerk)
    voter = Voter.objects.get(assembly=assembly, member=m)
    resolution = assembly.resolutions.get()
    services.vote_cast(
        actor=m.user, resolution=resolution, voter=voter, choice="for", now=during_vote(assembly)
    )
    with pytest.raises(Conflict):
        services.vote_cast(
            actor=m.user,
            resolution=resolution,
            voter=voter,
            choice="against",
            now=during_vote(assembly),
        )
    # An open vote names the choice next to the voter; no secret ballot is written.
    assert VoteRecord.objects.get().open_choice == "for"
    assert not Ballot.objects.exists()


def test_online_vote_only_inside_the_window_and_room_votes_need_attendance(coop, statutes, clerk):
    m = holder(coop)
    assembly = open_assembly(coop, clerk=clerk)
    voter = Voter.objects.get(assembly=assembly, member=m)
    resolution = assembly.resolutions.get()
    with pytest.raises(Conflict):
        services.vote_cast(
            actor=m.user,
            resolution=resolution,
            voter=voter,
            choice="for",
            now=assembly.vote_opens_at - timedelta(seconds=1),
        )
    with pytest.raises(Conflict):
        services.vote_cast(
            actor=clerk,
            resolution=resolution,
            voter=voter,
            choice="for",
            channel="room",
            now=during_vote(assembly),
        )
    services.attendance_mark(actor=clerk, voter=voter, present=True)
    voter.refresh_from_db()
    services.vote_cast(
        actor=clerk,
        resolution=resolution,
        voter=voter,
        choice="for",
        channel="room",
        now=during_vote(assembly),
    )
    assert VoteRecord.objects.get().channel == "room"


def test_results_published_at_close_and_closed_votes_are_frozen(coop, clerk):
    services.statutes_create(
        actor=None, entity=coop, valid_from=date(2020, 1, 1), quorum_percent=50
    )
    members = [holder(coop) for _ in range(4)]
    assembly = open_assembly(coop, clerk=clerk, majority="two_thirds")
    resolution = assembly.resolutions.get()
    when = during_vote(assembly)
    for m, choice in zip(members[:3], ["for", "for", "against"], strict=True):
        voter = Voter.objects.get(assembly=assembly, member=m)
        services.vote_cast(
            actor=m.user, resolution=resolution, voter=voter, choice=choice, now=when
        )
    services.assembly_close(actor=clerk, assembly=assembly, now=when)
    [outcome] = selectors.assembly_results(assembly=assembly)
    assert outcome.result.overall.quorum  # 3 of 4 votes
    assert outcome.result.adopted  # exactly two thirds
    published = AuditLogEntry.objects.get(action="governance.results.published")
    assert published.data["resolutions"]["1"] == {
        "for": 2,
        "against": 1,
        "abstain": 0,
        "adopted": True,
    }
    late = Voter.objects.get(assembly=assembly, member=members[3])
    with pytest.raises(Conflict):
        services.vote_cast(
            actor=members[3].user, resolution=resolution, voter=late, choice="against", now=when
        )
    for statement in (
        lambda: Ballot.objects.update(choice="against"),
        lambda: Ballot.objects.all().delete(),
        lambda: VoteRecord.objects.all().delete(),
        lambda: Assembly.objects.filter(pk=assembly.pk).update(status="convened"),
        lambda: Ballot.objects.create(
            receipt="ZZZZ", resolution=resolution, weight=1, choice="for", change_key_hash="x"
        ),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            statement()
    assert sorted(Ballot.objects.values_list("choice", flat=True)) == ["against", "for", "for"]


def test_a_second_convocation_decides_without_quorum(coop, clerk):
    services.statutes_create(
        actor=None, entity=coop, valid_from=date(2020, 1, 1), quorum_percent=50
    )
    members = [holder(coop) for _ in range(4)]
    first = open_assembly(coop, clerk=clerk)
    second = open_assembly(coop, clerk=clerk, second_convocation=True)
    for assembly in (first, second):
        voter = Voter.objects.get(assembly=assembly, member=members[0])
        services.vote_cast(
            actor=members[0].user,
            resolution=assembly.resolutions.get(),
            voter=voter,
            choice="for",
            now=during_vote(assembly),
        )
        services.assembly_close(actor=clerk, assembly=assembly, now=during_vote(assembly))
    assert not selectors.assembly_results(assembly=first)[0].result.adopted
    assert selectors.assembly_results(assembly=second)[0].result.adopted


def test_agenda_is_fixed_once_convened(coop, statutes, clerk):
    holder(coop)
    assembly = open_assembly(coop, clerk=clerk)
    with pytest.raises(Conflict):
        services.resolution_add(actor=clerk, assembly=assembly, title="Late item")
    assert timezone.now() < assembly.vote_opens_at


def test_a_reminder_the_day_before_close_goes_once_to_those_who_have_not_voted(
    coop, statutes, clerk, mailoutbox
):
    voted, forgot = holder(coop), holder(coop, language="fr")
    assembly = open_assembly(coop, clerk=clerk)
    now = timezone.now()
    Assembly.objects.filter(pk=assembly.pk).update(
        vote_opens_at=now - timedelta(days=2), vote_closes_at=now + timedelta(hours=20)
    )
    services.vote_cast(
        actor=voted.user,
        resolution=assembly.resolutions.get(),
        voter=Voter.objects.get(assembly=assembly, member=voted),
        choice="for",
    )
    assert tasks.send_vote_reminders() == 1
    assert tasks.send_vote_reminders() == 0
    [mail] = mailoutbox
    assert mail.to == [forgot.email]
    assert "Le vote se clôt bientôt" in mail.subject
