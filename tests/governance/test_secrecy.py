"""The secret ballot: one vote per voter under concurrency (real threads), receipts that let
a voter find their ballot among the published ones, a recount from the published ballots, and
no way from the data (staff included) to link a choice to a person."""

import threading

import pytest
from django.db import connection, transaction

from governance import documents, selectors, services
from governance.models import Assembly, Ballot, Voter, VoteRecord
from smartcoop.core.errors import Conflict
from smartcoop.core.models import AuditLogEntry
from tests.governance.conftest import during_vote, holder, open_assembly


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def runner(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # reported to the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not [t for t in threads if t.is_alive()], "a call did not finish in 30 s"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_parallel_votes_of_the_same_voter_count_once(coop, statutes, clerk):
    m = holder(coop)
    assembly = open_assembly(coop, clerk=clerk)
    voter = Voter.objects.get(assembly=assembly, member=m)
    resolution = assembly.resolutions.get()
    when = during_vote(assembly)
    outcomes = run_together(
        *[
            (
                lambda c=c: services.vote_cast(
                    actor=m.user, resolution=resolution, voter=voter, choice=c, now=when
                )
            )
            for c in ["for", "against", "for", "abstain", "against", "for"]
        ]
    )
    assert sum(isinstance(o, Conflict) for o in outcomes) == 5
    assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, Conflict)]
    assert VoteRecord.objects.count() == 1
    assert Ballot.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_vote_cast_while_the_vote_is_being_closed_is_refused(coop, statutes, clerk):
    """Closing locks the assembly while it counts: a vote arriving then waits, and is refused
    once the close is committed, never added beside the published results."""
    m = holder(coop)
    assembly = open_assembly(coop, clerk=clerk)
    voter = Voter.objects.get(assembly=assembly, member=m)
    resolution = assembly.resolutions.get()
    when = during_vote(assembly)
    closing = threading.Event()
    outcome: list = []

    def vote():
        closing.wait(10)
        try:
            outcome.append(
                services.vote_cast(
                    actor=m.user, resolution=resolution, voter=voter, choice="for", now=when
                )
            )
        except Exception as exc:  # reported to the test
            outcome.append(exc)
        finally:
            connection.close()

    voting = threading.Thread(target=vote)
    voting.start()
    with transaction.atomic():
        # What assembly_close does first: lock the assembly, then count and publish.
        Assembly.objects.select_for_update().get(pk=assembly.pk)
        closing.set()
        voting.join(1)
        assert voting.is_alive(), "the vote did not wait for the close"
        Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.CLOSED)
    voting.join(10)
    assert isinstance(outcome[0], Conflict) and outcome[0].code == "vote_closed"
    assert VoteRecord.objects.count() == 0 and Ballot.objects.count() == 0


@pytest.mark.django_db
def test_nobody_can_link_a_secret_choice_to_a_person(coop, statutes, clerk):
    members = [holder(coop) for _ in range(8)]
    assembly = open_assembly(coop, clerk=clerk)
    resolution = assembly.resolutions.get()
    when = during_vote(assembly)
    choices = ["for", "against", "for", "abstain", "for", "against", "for", "for"]
    receipts = []
    for m, choice in zip(members, choices, strict=True):
        voter = Voter.objects.get(assembly=assembly, member=m)
        result = services.vote_cast(
            actor=m.user, resolution=resolution, voter=voter, choice=choice, now=when
        )
        receipts.append(result.code.split("-")[0])
    # The ballot box has no column naming or dating a voter, and no sequence id.
    columns = {f.column for f in Ballot._meta.concrete_fields}
    assert columns == {
        "receipt",
        "resolution_id",
        "college",
        "weight",
        "choice",
        "marks",
        "change_key_hash",
    }
    assert not {f.column for f in VoteRecord._meta.concrete_fields} & {"created_at", "id_ballot"}
    assert set(VoteRecord.objects.values_list("open_choice", flat=True)) == {""}
    # Every order the ballot box can be read in is random: it is not the order of the votes.
    stored = list(Ballot.objects.values_list("receipt", flat=True))
    assert sorted(stored) == stored  # read back in receipt order (the primary key)
    assert stored != receipts
    # The audit trail says who voted, never what.
    for entry in AuditLogEntry.objects.filter(action="governance.vote.cast"):
        assert "choice" not in entry.data
        assert not set(map(str, entry.data.values())) & {"for", "against", "abstain"}
    # Staff's voters' list says nothing of choices either.
    assert not {"for", "against", "abstain"} & set(documents.voters_csv(assembly).split(","))
    # After closing, each voter finds their receipt with their choice among the published
    # ballots, and anyone recounts the result from the published file.
    services.assembly_close(actor=clerk, assembly=assembly, now=when)
    published = {b.receipt: b.choice for b in selectors.published_ballots(assembly=assembly)}
    assert [published[r] for r in receipts] == choices
    lines = documents.ballots_csv(assembly).splitlines()[1:]
    recount = {"for": 0, "against": 0, "abstain": 0}
    for line in lines:
        _position, _receipt, _college, weight, choice, _marks = line.split(",")
        recount[choice] += int(weight)
    overall = selectors.assembly_results(assembly=assembly)[0].result.overall.count
    assert (
        recount
        == {"for": overall.votes_for, "against": overall.against, "abstain": overall.abstain}
        == {"for": 5, "against": 2, "abstain": 1}
    )
