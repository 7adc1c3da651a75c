"""The adviser validates many contracts at once (`services.contracts_validate`, the queue page
`activities:staff_contracts`): each by the rule of a single validation, audited and notified the
same way, their Dimona IN queued in one batch; what cannot be validated is reported one by one and
the rest goes through; only the adviser's office; running it again validates nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from activities import services
from activities.models import EmploymentContract
from declarations.models import Declaration
from smartcoop.core.errors import PermissionDenied
from smartcoop.core.models import AuditLogEntry, Notification
from tests.declarations.helpers import make_contract, worker_activity
from tests.factories import OfficeFactory, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]
S = EmploymentContract.Status
FIRST = dt.date.today() + dt.timedelta(days=10)


@pytest.fixture
def office():
    return OfficeFactory()


@pytest.fixture
def adviser(office, entity):
    return staff_user("adviser", office=office, entities=[entity])


def office_activity(entity, office, **kwargs):
    activity = worker_activity(entity, **kwargs)
    with scopes_disabled():
        activity.coordinator.office = office
        activity.coordinator.save()
    return activity


def drafts(activity, count: int, *, offset: int = 0) -> list[EmploymentContract]:
    return [
        make_contract(activity, start=FIRST + dt.timedelta(days=offset + n), validate=False)
        for n in range(count)
    ]


def hiring(contracts) -> list[Declaration]:
    return list(
        Declaration.objects.with_scopes_disabled()
        .filter(contract__in=contracts, kind="dimona_in")
        .order_by("contract_id")
    )


def validated_audit(contracts) -> int:
    return AuditLogEntry.objects.filter(
        action="activities.contract.validated",
        target_id__in=[str(c.public_id) for c in contracts],
    ).count()


def test_a_mixed_batch_validates_what_it_can_and_reports_the_rest_one_by_one(
    entity, office, adviser
):
    activity = office_activity(entity, office)
    waiting = drafts(activity, 3)
    already = make_contract(activity, start=FIRST + dt.timedelta(days=5))  # validated before
    cancelled = drafts(activity, 1, offset=7)[0]
    services.contract_cancel(contract=cancelled, reason="Show called off", actor=None)
    elsewhere = drafts(office_activity(entity, OfficeFactory()), 1, offset=20)[0]
    unknown = "00000000-0000-4000-8000-000000000000"

    result = services.contracts_validate(
        public_ids=[c.public_id for c in [*waiting, already, cancelled, elsewhere]] + [unknown],
        actor=adviser,
        entity=entity,
    )

    assert [c.pk for c in result.validated] == [c.pk for c in waiting]
    reasons = {r.public_id: r.reason for r in result.refused}
    assert reasons == {
        str(already.public_id): "This contract is already validated.",
        str(cancelled.public_id): "This contract is Cancelled: it cannot become Validated.",
        str(elsewhere.public_id): "Not found among the contracts you may validate.",
        unknown: "Not found among the contracts you may validate.",
    }
    # another office's contract: refused without naming its member, and untouched
    assert (
        next(r for r in result.refused if r.public_id == str(elsewhere.public_id)).contract is None
    )
    with scopes_disabled():
        statuses = {
            c.pk: c.status
            for c in EmploymentContract.objects.filter(pk__in=[x.pk for x in waiting])
        }
        elsewhere.refresh_from_db()
    assert set(statuses.values()) == {S.VALIDATED} and elsewhere.status == S.DRAFT
    assert not hiring([elsewhere])

    # each validated contract: its Dimona IN ready to send, the audit row and the member told,
    # validated by the adviser, as a single validation does
    declarations = hiring(waiting)
    assert [d.contract_id for d in declarations] == [c.pk for c in waiting]
    assert {d.status for d in declarations} == {Declaration.Status.READY}
    assert validated_audit(waiting) == 3
    assert (
        AuditLogEntry.objects.filter(action="activities.contract.validated", actor=adviser).count()
        == 3
    )
    with scopes_disabled():
        assert {
            c.validated_by_id
            for c in EmploymentContract.objects.filter(pk__in=[x.pk for x in waiting])
        } == {adviser.pk}
    assert (
        Notification.objects.filter(
            user=activity.coordinator.user, kind="activities.contract_validated"
        ).count()
        == 4
    )  # the three, and the one validated before


def test_running_it_again_validates_nothing_twice(entity, office, adviser):
    activity = office_activity(entity, office)
    contracts = drafts(activity, 4)
    ids = [c.public_id for c in contracts]
    services.contracts_validate(public_ids=ids, actor=adviser, entity=entity)

    again = services.contracts_validate(public_ids=ids, actor=adviser, entity=entity)

    assert again.validated == []
    assert {r.reason for r in again.refused} == {"This contract is already validated."}
    assert len(hiring(contracts)) == 4  # one Dimona IN each, not two
    assert validated_audit(contracts) == 4
    assert (
        Notification.objects.filter(
            user=activity.coordinator.user, kind="activities.contract_validated"
        ).count()
        == 4
    )
    # a single validation afterwards is refused by the same rule
    with pytest.raises(Exception, match="already validated"):
        services.contract_validate(contract=contracts[0], actor=adviser)


def test_the_queries_do_not_grow_with_the_batch(entity, office, adviser):
    activity = office_activity(entity, office)
    one, six = drafts(activity, 1), drafts(activity, 6, offset=3)
    with CaptureQueriesContext(connection) as small:
        services.contracts_validate(public_ids=[one[0].public_id], actor=adviser, entity=entity)
    with CaptureQueriesContext(connection) as large:
        result = services.contracts_validate(
            public_ids=[c.public_id for c in six], actor=adviser, entity=entity
        )
    assert len(result.validated) == 6 and len(hiring(six)) == 6
    assert len(large) == len(small)


def test_only_staff_who_validate_contracts_may(entity, office):
    activity = office_activity(entity, office)
    [contract] = drafts(activity, 1)
    accountant = staff_user("accountant", entities=[entity])
    with pytest.raises(PermissionDenied):
        services.contracts_validate(
            public_ids=[contract.public_id], actor=accountant, entity=entity
        )
    with scopes_disabled():
        contract.refresh_from_db()
    assert contract.status == S.DRAFT


# --- The queue page ----------------------------------------------------------------------------


def test_the_queue_lists_the_offices_drafts_and_validates_the_ticked_ones(
    client, entity, office, adviser
):
    mine = office_activity(entity, office)
    waiting = drafts(mine, 3)
    theirs = drafts(office_activity(entity, OfficeFactory()), 1, offset=10)[0]
    client.force_login(adviser)
    url = reverse("activities:staff_contracts")

    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('name="contracts"') == 3
    assert str(theirs.public_id) not in body
    assert "Validate selected" in body and "data-select-all" in body

    # the button first asks to confirm, listing what was ticked; nothing is validated yet
    ticked = [str(waiting[0].public_id), str(waiting[2].public_id)]
    review = client.post(url, {"contracts": ticked, "step": "review"})
    assert review.status_code == 200
    assert "Validate these 2 contracts?" in review.content.decode()
    assert "Validate 2 contracts" in review.content.decode()
    with scopes_disabled():
        assert (
            EmploymentContract.objects.filter(
                status=S.DRAFT, pk__in=[c.pk for c in waiting]
            ).count()
            == 3
        )

    # confirmed, with another office's contract slipped in: it is reported, the rest validated
    done = client.post(
        url, {"contracts": [*ticked, str(theirs.public_id)], "step": "confirm"}, follow=True
    )
    text = done.content.decode()
    assert "2 contracts validated; their declarations are queued." in text
    assert f"{theirs.public_id}: Not found among the contracts you may validate." in text
    with scopes_disabled():
        status = dict(
            EmploymentContract.objects.filter(
                pk__in=[c.pk for c in [*waiting, theirs]]
            ).values_list("pk", "status")
        )
    assert [status[c.pk] for c in waiting] == [S.VALIDATED, S.DRAFT, S.VALIDATED]
    assert status[theirs.pk] == S.DRAFT
    assert len(hiring(waiting)) == 2
    # the page now lists the one left
    assert done.content.decode().count('name="contracts"') == 1

    # the same confirmation sent twice (a double click): each reported as already validated
    twice = client.post(url, {"contracts": ticked, "step": "confirm"}, follow=True)
    assert twice.content.decode().count("This contract is already validated.") == 2
    assert len(hiring(waiting)) == 2


def test_the_queue_refuses_bad_input_and_strangers(client, entity, office, adviser):
    url = reverse("activities:staff_contracts")
    member = office_activity(entity, office).coordinator
    client.force_login(member.user)
    assert client.get(url).status_code == 404
    client.force_login(staff_user("accountant", entities=[entity]))
    assert client.get(url).status_code == 404

    client.force_login(adviser)
    nothing = client.post(url, {"step": "review"}, follow=True)
    assert "Tick the contracts to validate." in nothing.content.decode()
    garbage = client.post(url, {"contracts": ["1 OR 1=1"], "step": "confirm"}, follow=True)
    assert "These are not contract references: nothing was validated." in garbage.content.decode()
