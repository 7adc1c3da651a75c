"""Board elections: candidacies, seats per share category, the statutes' method (approval or
single transferable vote) and ties rule, the secret ballot box, results at close and in the
minutes, frozen once closed."""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from django.db import IntegrityError, transaction

from governance import calculations, documents, selectors, services
from governance.models import Ballot, Candidacy, Voter
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import AuditLogEntry, Notification
from tests.governance.conftest import RECORD, during_vote, holder, open_assembly

pytestmark = pytest.mark.django_db


def seniority(order):
    return lambda n: order.index(n)


# --- The counts ---------------------------------------------------------------------------------


def test_approval_elects_the_most_approved_and_the_ties_rule_decides_the_last_seat():
    ballots = [([1, 2], 1), ([2, 3], 1), ([1, 3], 1), ([4], 1)]
    count = calculations.approval_count(
        ballots=ballots, candidates=[1, 2, 3, 4], seats=2, priority=seniority([3, 1, 2, 4])
    )
    # 1, 2 and 3 have two approvals each for two seats: 3 then 1 are senior.
    assert count.elected == [3, 1]
    assert count.ties == [([1, 2, 3], 3, "elected"), ([1, 2], 1, "elected")]
    # Another seniority order elects others: the rule, not the order of the list, decides.
    other = calculations.approval_count(
        ballots=ballots, candidates=[1, 2, 3, 4], seats=2, priority=seniority([2, 1, 3, 4])
    )
    assert other.elected == [2, 1]


def test_approval_without_a_tie_names_no_tie_and_weights_count():
    count = calculations.approval_count(
        ballots=[([1], 3), ([2], 1), ([2], 1)], candidates=[1, 2], seats=1, priority=lambda n: n
    )
    assert count.elected == [1] and count.ties == []
    assert count.votes == {1: 3, 2: 2}


def test_stv_transfers_the_surplus_and_the_lowest_is_excluded():
    # 9 ballots, 2 seats: Droop quota 9 // 3 + 1 = 4.
    ballots = [([1, 2], 1)] * 6 + [([3, 2], 1)] * 2 + [([2], 1)]
    count = calculations.stv_count(
        ballots=ballots, candidates=[1, 2, 3], seats=2, priority=lambda n: n
    )
    assert count.quota == 4
    # Round 1: 1 has 6 ≥ 4, elected; surplus 2/6 of each of the six ballots goes to 2.
    assert count.rounds[0].elected == [1]
    # Round 2: 2 has 1 + 6 * 1/3 = 3, 3 has 2: nobody reaches 4, 3 is excluded...
    assert count.rounds[1].tallies == {2: Fraction(3), 3: Fraction(2)}
    assert count.rounds[1].excluded == 3
    # ... and 2, the only one left for the last seat, is elected.
    assert count.elected == [1, 2]
    assert count.votes == {1: 6, 2: 1, 3: 2}


def test_stv_differs_from_plurality_when_preferences_transfer():
    # First preferences: 1 leads (4) over 2 (3) and 3 (2), one seat, quota 5. 3 is excluded
    # and both of 3's ballots go to 2, who wins with 5.
    ballots = [([1], 1)] * 4 + [([2], 1)] * 3 + [([3, 2], 1)] * 2
    count = calculations.stv_count(
        ballots=ballots, candidates=[1, 2, 3], seats=1, priority=lambda n: n
    )
    assert count.elected == [2]


def test_stv_exclusion_tie_goes_by_the_ties_rule():
    ballots = [([1], 1)] * 3 + [([2], 1), ([3], 1)]
    junior_3 = calculations.stv_count(
        ballots=ballots, candidates=[1, 2, 3], seats=2, priority=seniority([1, 2, 3])
    )
    assert junior_3.elected == [1, 2]
    assert junior_3.ties == [([2, 3], 3, "excluded")]
    junior_2 = calculations.stv_count(
        ballots=ballots, candidates=[1, 2, 3], seats=2, priority=seniority([1, 3, 2])
    )
    assert junior_2.elected == [1, 3]


def test_fewer_candidates_than_seats_elects_them_all_and_leaves_the_rest_vacant():
    for count_of in (calculations.approval_count, calculations.stv_count):
        count = count_of(ballots=[([1], 1)], candidates=[1], seats=3, priority=lambda n: n)
        assert count.elected == [1]


# --- Candidacies, votes, results ----------------------------------------------------------------


def _election_assembly(coop, clerk, seats):
    assembly = open_assembly(coop, clerk=clerk, convene=False, resolutions=())
    election = services.election_add(
        actor=clerk, assembly=assembly, title="Board 2027", seats=seats
    ).election
    services.assembly_convene(actor=clerk, assembly=assembly, today=RECORD + timedelta(days=1))
    assembly.refresh_from_db()
    return assembly, election


def _stand(assembly, election, member, clerk, confirm=True):
    voter = Voter.objects.get(assembly=assembly, member=member)
    candidacy = services.candidacy_apply(
        actor=member.user, election=election, voter=voter, statement="I will listen."
    )
    if confirm:
        candidacy = services.candidacy_decide(actor=clerk, candidacy=candidacy, confirm=True)
    return candidacy


def test_candidacies_seats_per_category_and_results_at_close(coop, clerk):
    services.statutes_create(actor=None, entity=coop, valid_from=date(2020, 1, 1))
    users = [holder(coop, shares={"A": 1}, on=date(2025, 1, 10 + i)) for i in range(4)]
    staff_b = holder(coop, shares={"B": 1})
    assembly, election = _election_assembly(coop, clerk, {"A": 1, "B": 1, "C": 0})
    assert election.seats == {"A": 1, "B": 1}
    a1 = _stand(assembly, election, users[0], clerk)
    a2 = _stand(assembly, election, users[1], clerk)
    b1 = _stand(assembly, election, staff_b, clerk)
    assert (a1.category, a2.category, b1.category) == ("A", "A", "B")
    assert [a1.number, a2.number, b1.number] == [1, 2, 3]
    # The candidate is told (a notification of the kind they may turn off).
    assert Notification.objects.filter(
        user=users[0].user, kind="governance.candidacy_decided"
    ).exists()
    when = during_vote(assembly)
    resolution = election.resolution
    for member, marks in [(users[2], [2, 3]), (users[3], [1, 2, 3]), (users[1], [2])]:
        voter = Voter.objects.get(assembly=assembly, member=member)
        result = services.vote_cast(
            actor=member.user, resolution=resolution, voter=voter, marks=marks, now=when
        )
        assert result.code  # secret, with a receipt
    services.assembly_close(actor=clerk, assembly=assembly, now=when)
    [outcome] = selectors.election_results(assembly=assembly)
    by_category = {c.category: c for c in outcome.counts}
    # Category A: candidate 2 (three approvals) beats 1 (one); B: 3 alone for one seat.
    assert by_category["A"].elected == [2] and by_category["A"].votes == {1: 1, 2: 3}
    assert by_category["B"].elected == [3]
    assert [c.voter.member for c in outcome.elected] == [users[1], staff_b]
    published = AuditLogEntry.objects.get(action="governance.results.published")
    assert published.data["elections"]["1"]["elected"] == [
        users[1].member_number,
        staff_b.member_number,
    ]
    # The minutes name the elected candidates.
    html = _minutes_html(assembly)
    assert users[1].display_name in html and "Board 2027" in html
    # Frozen: no ballot, candidacy or seat changes after close.
    for statement in (
        lambda: Ballot.objects.update(marks=[1]),
        lambda: Candidacy.objects.update(status="refused", refusal_reason="x"),
        lambda: type(election).objects.update(seats={"A": 3}),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            statement()


def _minutes_html(assembly):
    from django.template.loader import render_to_string

    return render_to_string(
        "governance/pdf/minutes.html",
        {
            "assembly": assembly,
            "entity": assembly.entity,
            "results": selectors.assembly_results(assembly=assembly),
            "election_results": selectors.election_results(assembly=assembly),
        },
    ) + documents.ballots_csv(assembly)


def test_ranked_election_counts_by_stv_and_lot_ties_use_the_published_seed(coop, clerk):
    services.statutes_create(
        actor=None,
        entity=coop,
        valid_from=date(2020, 1, 1),
        election_method="stv",
        election_tie_rule="lot",
    )
    members = [holder(coop) for _ in range(4)]
    assembly, election = _election_assembly(coop, clerk, {"A": 1})
    first, second = (_stand(assembly, election, m, clerk) for m in members[:2])
    when = during_vote(assembly)
    # One ballot each way: a tie that only the lot can settle.
    for member, marks in [(members[2], [1, 2]), (members[3], [2, 1])]:
        voter = Voter.objects.get(assembly=assembly, member=member)
        services.vote_cast(
            actor=member.user, resolution=election.resolution, voter=voter, marks=marks, now=when
        )
    with pytest.raises(ValidationFailed):  # a candidate marked twice
        voter = Voter.objects.get(assembly=assembly, member=members[0])
        services.vote_cast(
            actor=members[0].user,
            resolution=election.resolution,
            voter=voter,
            marks=[1, 1],
            now=when,
        )
    services.assembly_close(actor=clerk, assembly=assembly, now=when)
    election.refresh_from_db()
    assert len(election.lot_seed) == 32
    [outcome] = selectors.election_results(assembly=assembly)
    [count] = outcome.counts
    assert count.method == "stv" and count.ties
    # Anyone can redo the draw: the lower SHA-256 of "<seed>:<number>" stays in.
    import hashlib

    keys = {n: hashlib.sha256(f"{election.lot_seed}:{n}".encode()).hexdigest() for n in (1, 2)}
    assert count.elected == [min(keys, key=keys.get)]
    assert {first.number, second.number} == {1, 2}
    csv = documents.ballots_csv(assembly)
    assert "1 2" in csv and "2 1" in csv  # the preferences, published to recount


def test_candidacy_rules(coop, statutes, clerk):
    member = holder(coop, shares={"B": 1})
    other, late = holder(coop), holder(coop)
    assembly, election = _election_assembly(coop, clerk, {"A": 2})
    voter = Voter.objects.get(assembly=assembly, member=member)
    with pytest.raises(ValidationFailed) as no_seat:  # holds only B, seats are for A
        services.candidacy_apply(actor=None, election=election, voter=voter, statement="Me")
    assert no_seat.value.field == "statement"
    candidacy = _stand(assembly, election, other, clerk, confirm=False)
    with pytest.raises(ValidationFailed):  # a refusal needs its reason
        services.candidacy_decide(actor=clerk, candidacy=candidacy, confirm=False)
    refused = services.candidacy_decide(
        actor=clerk, candidacy=candidacy, confirm=False, reason="Not a member for a year"
    )
    assert refused.number is None and refused.refusal_reason
    with pytest.raises(Conflict):  # one candidacy per election
        _stand(assembly, election, other, clerk, confirm=False)
    with pytest.raises(Conflict):  # once the vote opens, candidacies are closed
        services.candidacy_apply(
            actor=None,
            election=election,
            voter=Voter.objects.get(assembly=assembly, member=late),
            statement="Me too",
            now=during_vote(assembly),
        )


def test_pages_a_member_stands_staff_confirm_members_rank_and_see_the_elected(client, coop, clerk):
    from django.urls import reverse
    from django.utils import timezone

    from governance.models import Assembly

    services.statutes_create(
        actor=None, entity=coop, valid_from=date(2020, 1, 1), election_method="stv"
    )
    alice, bob, carol = holder(coop), holder(coop), holder(coop)
    assembly = open_assembly(coop, clerk=clerk, convene=False, resolutions=())
    client.force_login(clerk)
    client.post(
        reverse("governance:staff_election_add", args=[assembly.public_id]),
        {"election-title": "Board", "election-seats_A": "1", "election-seats_B": "0",
         "election-seats_C": "0"},
    )  # fmt: skip
    services.assembly_convene(actor=clerk, assembly=assembly, today=RECORD + timedelta(days=1))
    resolution = assembly.resolutions.get()
    page = reverse("governance:assembly", args=[assembly.public_id])
    for member in (alice, bob):
        client.force_login(member.user)
        empty = client.post(
            reverse("governance:candidacy_apply", args=[assembly.public_id, resolution.public_id]),
            {"statement": ""},
            follow=True,
        )
        assert "Write a statement" in empty.content.decode()
        client.post(
            reverse("governance:candidacy_apply", args=[assembly.public_id, resolution.public_id]),
            {"statement": f"{member.display_name} for a greener coop"},
        )
    client.force_login(clerk)
    staff_page = client.get(reverse("governance:staff_assembly", args=[assembly.public_id]))
    assert "for a greener coop" in staff_page.content.decode()
    for candidacy in Candidacy.objects.order_by("created_at"):
        client.post(
            reverse("governance:staff_candidacy", args=[assembly.public_id, candidacy.public_id]),
            {"decision": "confirm"},
        )
    assert list(Candidacy.objects.values_list("number", flat=True).order_by("number")) == [1, 2]
    Assembly.objects.filter(pk=assembly.pk).update(
        vote_opens_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(carol.user)
    body = client.get(page).content.decode()
    assert "for a greener coop" in body and 'name="rank-1"' in body
    voter = Voter.objects.get(assembly=assembly, member=carol)
    vote_url = reverse(
        "governance:vote", args=[assembly.public_id, resolution.public_id, voter.public_id]
    )
    refused = client.post(vote_url, {"rank-1": "1", "rank-2": "1"}, follow=True)
    assert "Give each rank once" in refused.content.decode()
    assert not Ballot.objects.exists()
    answer = client.post(vote_url, {"rank-1": "2", "rank-2": "1"})
    assert "Your receipt" in answer.content.decode()
    assert Ballot.objects.get().marks == [2, 1]
    client.force_login(clerk)
    client.post(reverse("governance:staff_close", args=[assembly.public_id]))
    client.force_login(carol.user)
    body = client.get(page).content.decode()
    assert "Elected" in body and bob.display_name in body
    public = client.get(reverse("governance:ballots", args=[assembly.public_id])).content.decode()
    assert "2 1" in public


def test_a_candidate_withdraws_before_the_vote_opens_and_is_off_the_ballot(client, coop, clerk):
    from django.urls import reverse

    services.statutes_create(actor=None, entity=coop, valid_from=date(2020, 1, 1))
    alice, bob = holder(coop), holder(coop)
    assembly, election = _election_assembly(coop, clerk, {"A": 1})
    first = _stand(assembly, election, alice, clerk)
    _stand(assembly, election, bob, clerk)
    resolution = election.resolution
    page = reverse("governance:assembly", args=[assembly.public_id])
    withdraw = reverse(
        "governance:candidacy_withdraw", args=[assembly.public_id, resolution.public_id]
    )
    client.force_login(alice.user)
    assert "Withdraw my candidacy" in client.get(page).content.decode()
    answer = client.post(withdraw, follow=True).content.decode()
    assert "Your candidacy is withdrawn." in answer and "Withdraw my candidacy" not in answer
    first.refresh_from_db()
    assert first.status == Candidacy.Status.WITHDRAWN and first.number is None
    # Bob keeps his number 2; only he is on the ballot.
    assert [c.number for c in selectors.candidacies_of(election=election, confirmed_only=True)] == [
        2
    ]
    entry = AuditLogEntry.objects.get(action="governance.candidacy.withdrawn")
    assert entry.actor == alice.user and entry.data == {"number": 1}
    # Withdrawn is final; once the vote is open nobody withdraws any more.
    with pytest.raises(Conflict):
        services.candidacy_withdraw(actor=alice.user, candidacy=first)
    second = Candidacy.objects.get(voter__member=bob)
    with pytest.raises(Conflict):
        services.candidacy_withdraw(
            actor=bob.user, candidacy=second, now=assembly.vote_opens_at + timedelta(minutes=1)
        )
    assert Candidacy.objects.get(pk=second.pk).status == Candidacy.Status.CONFIRMED
    # Another member cannot withdraw Bob's candidacy: the page withdraws only one's own.
    client.force_login(holder(coop).user)
    assert client.post(withdraw).status_code == 404


def test_the_staff_page_offers_only_what_the_services_accept(client, coop, clerk):
    """Before the vote opens staff decide candidacies but cannot close the vote; once it is open
    they close it but decide no candidacy (both refused by the services then): the page's
    buttons follow the same rules (Assembly.STEPS, before_vote, Candidacy.STEPS)."""
    from django.urls import reverse
    from django.utils import timezone

    from governance.models import Assembly

    services.statutes_create(actor=None, entity=coop, valid_from=date(2020, 1, 1))
    alice = holder(coop)
    assembly = open_assembly(coop, clerk=clerk, convene=False)
    election = services.election_add(actor=clerk, assembly=assembly, title="Board", seats={"A": 1})
    services.assembly_convene(actor=clerk, assembly=assembly, today=RECORD + timedelta(days=1))
    voter = Voter.objects.get(assembly=assembly, member=alice)
    services.candidacy_apply(actor=None, election=election.election, voter=voter, statement="Me")
    client.force_login(clerk)
    url = reverse("governance:staff_assembly", args=[assembly.public_id])

    before = client.get(url).content.decode()
    assert "Confirm eligibility" in before and "Mark present" in before
    assert "Close the vote" not in before and "Add the resolution" not in before
    with pytest.raises(Conflict):
        services.assembly_close(actor=clerk, assembly=assembly)

    Assembly.objects.filter(pk=assembly.pk).update(
        vote_opens_at=timezone.now() - timedelta(hours=1)
    )
    during = client.get(url).content.decode()
    assert "Close the vote" in during and "Confirm eligibility" not in during
    with pytest.raises(Conflict):
        services.candidacy_decide(actor=clerk, candidacy=Candidacy.objects.get(), confirm=True)

    client.post(reverse("governance:staff_close", args=[assembly.public_id]))
    closed = client.get(url).content.decode()
    assert "Minutes (PDF)" in closed and "Close the vote" not in closed
    assert "Attach a document" not in closed and "Mark present" not in closed
