"""Changing a validated contract's dates from the staff contract page: the checks of a contract
(budget, overlap, dates) refuse at the field and change nothing; an unsent Dimona is built again
with the new dates, an accepted one gets a schema-valid UPDATE, a sent one gets it when its
acceptance arrives. The authority's non-blocking anomalies are warnings on an accepted
declaration. "Mark declared" by hand is only offered where no declaration of ours covers the
contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from activities.models import EmploymentContract
from declarations import builders, services
from declarations.models import Declaration
from smartcoop.core.models import AuditLogEntry
from smartcoop.countries.registry import load_pack
from tests.activities.factories import salary_contract
from tests.factories import staff_user

from .helpers import make_contract, notification, worker_activity

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]
S = Declaration.Status


def the_in(contract) -> Declaration:
    return Declaration.objects.with_scopes_disabled().get(
        contract=contract, kind="dimona_in", corrected_by__isnull=True
    )


def accept(contract, period: str) -> None:
    services.outbox_batch(entity=contract.entity, actor=None)
    services.answer_upload(
        entity=contract.entity,
        raw=notification((the_in(contract).reference, period, [])),
        actor=None,
    )


def payroll_client(client, entity):
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    return client


def post_dates(client, contract, *, start, end, hours="16", reason="The client moved the gig"):
    return client.post(
        reverse("activities:staff_contract", args=[contract.public_id]),
        {
            "action": "dates",
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "hours": hours,
            "reason": reason,
        },
        follow=True,
    )


def test_staff_move_an_accepted_contract_and_the_dimona_update_goes_out(entity, client):
    activity = worker_activity(entity)
    contract = make_contract(activity, days=2)
    accept(contract, "999")
    contract.refresh_from_db()
    assert contract.status == EmploymentContract.Status.DECLARED
    client = payroll_client(client, activity.entity)
    page = client.get(reverse("activities:staff_contract", args=[contract.public_id]))
    assert "Change the dates" in page.content.decode()

    new_end = contract.end_date + dt.timedelta(days=2)
    page = post_dates(client, contract, start=contract.start_date, end=new_end, hours="24")
    assert "The contract&#x27;s dates are changed." in page.content.decode()
    assert "Dimona UPDATE ready, to be sent." in page.content.decode()
    contract.refresh_from_db()
    assert contract.end_date == new_end and contract.hours == Decimal("24")
    assert contract.status == EmploymentContract.Status.DECLARED
    update = Declaration.objects.with_scopes_disabled().get(contract=contract, kind="dimona_update")
    assert update.status == S.READY
    root = etree.fromstring(update.payload.encode())
    assert root.findtext("Form/DimonaUpdate/DimonaPeriodId") == "999"
    assert root.findtext("Form/DimonaUpdate/EndingDate") == new_end.isoformat()
    assert builders.schema_errors(update.payload.encode()) == []
    # The end moved later: due the first working day after the end first declared.
    assert timezone.localtime(update.due_at).date() > contract.end_date - dt.timedelta(days=2)
    entry = AuditLogEntry.objects.get(action="activities.contract.dates_changed")
    assert entry.data["before"]["end"] == (new_end - dt.timedelta(days=2)).isoformat()
    assert entry.data["reason"] == "The client moved the gig"

    batch, count = services.outbox_batch(entity=activity.entity, actor=None)
    assert count == 1 and b"<DimonaUpdate>" in batch


def test_an_unsent_dimona_is_built_again_with_the_new_dates(entity):
    activity = worker_activity(entity)
    contract = make_contract(activity, days=1)
    first = the_in(contract)
    old_hash = first.payload_sha256
    from activities.services import contract_change_dates

    new_start = contract.start_date + dt.timedelta(days=3)
    contract_change_dates(
        contract=contract,
        start_date=new_start,
        end_date=new_start,
        hours=Decimal("8"),
        reason="Later",
        actor=None,
    )
    again = the_in(contract)
    assert again.pk == first.pk and again.status == S.READY
    assert again.payload_sha256 != old_hash
    root = etree.fromstring(again.payload.encode())
    assert root.findtext("Form/DimonaIn/StartingDate") == new_start.isoformat()
    assert timezone.localtime(again.due_at).date() == new_start
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dimona_update").exists()


def test_a_sent_dimona_gets_its_update_when_the_acceptance_arrives(entity):
    activity = worker_activity(entity)
    contract = make_contract(activity, days=2)
    services.outbox_batch(entity=activity.entity, actor=None)
    from activities.services import contract_change_dates

    contract_change_dates(
        contract=contract,
        start_date=contract.start_date,
        end_date=contract.end_date + dt.timedelta(days=1),
        hours=Decimal("20"),
        reason="One more day",
        actor=None,
    )
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dimona_update").exists()
    services.answer_upload(
        entity=activity.entity,
        raw=notification((the_in(contract).reference, "4242", [])),
        actor=None,
    )
    update = Declaration.objects.with_scopes_disabled().get(contract=contract, kind="dimona_update")
    root = etree.fromstring(update.payload.encode())
    assert root.findtext("Form/DimonaUpdate/DimonaPeriodId") == "4242"
    contract.refresh_from_db()
    assert root.findtext("Form/DimonaUpdate/EndingDate") == contract.end_date.isoformat()
    assert contract.status == EmploymentContract.Status.DECLARED


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("overlap", "start_date", "contracts of one person cannot overlap"),
        ("order", "end_date", "The end date comes before the start date."),
        ("past", "start_date", "is in the past: the employment must be declared"),
        ("hours", "hours", "hold at most"),
        ("budget", "start_date", "is available now"),
    ],
)
def test_bad_dates_are_refused_at_the_field_and_change_nothing(
    entity, client, case, field, message
):
    activity = worker_activity(entity)
    contract = make_contract(activity, days=2)
    accept(contract, "321")
    start, end, hours = contract.start_date, contract.end_date, "16"
    if case == "overlap":
        other = salary_contract(activity, start=contract.end_date + dt.timedelta(days=3), days=1)
        end = other.start_date
    elif case == "order":
        end = start - dt.timedelta(days=1)
    elif case == "past":
        start = dt.date.today() - dt.timedelta(days=1)
    elif case == "hours":
        hours = "100"
    else:  # the salary cost grows beyond the Activity's budget: a dearer coefficient
        EmploymentContract.objects.with_scopes_disabled().filter(pk=contract.pk).update(
            employer_cost=Decimal("1.00")
        )
        activity.reserve_amount = Decimal("19999.00")
        activity.save()
        end = end + dt.timedelta(days=1)
    before = EmploymentContract.objects.with_scopes_disabled().get(pk=contract.pk)
    page = post_dates(
        payroll_client(client, activity.entity), contract, start=start, end=end, hours=hours
    )
    form = page.context["dates_form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    after = EmploymentContract.objects.with_scopes_disabled().get(pk=contract.pk)
    assert (after.start_date, after.end_date, after.hours, after.employer_cost) == (
        before.start_date,
        before.end_date,
        before.hours,
        before.employer_cost,
    )
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dimona_update").exists()
    assert not AuditLogEntry.objects.filter(action="activities.contract.dates_changed").exists()


def test_a_filed_student_dimona_cannot_move_into_other_quarters(entity, client):
    activity = worker_activity(entity)
    today = dt.date.today()
    quarter_end_month = ((today.month - 1) // 3) * 3 + 3
    next_quarter = dt.date(today.year + (quarter_end_month == 12), quarter_end_month % 12 + 1, 1)
    start = next_quarter + dt.timedelta(days=5)  # three days inside one quarter
    contract = make_contract(activity, start=start, days=3, kind="student")
    accept(contract, "77")
    page = post_dates(
        payroll_client(client, activity.entity),
        contract,
        start=start,
        end=start + dt.timedelta(days=120),
        hours="30",
    )
    errors = " ".join(page.context["dates_form"].errors["start_date"])
    assert "filed per quarter" in errors
    contract.refresh_from_db()
    assert contract.end_date == start + dt.timedelta(days=2)


def test_non_blocking_anomalies_are_warnings_on_an_accepted_dimona(entity, client):
    activity = worker_activity(entity)
    late, refused, unclassed = (
        make_contract(activity, start=dt.date.today() + dt.timedelta(days=d)) for d in (5, 8, 11)
    )
    services.outbox_batch(entity=activity.entity, actor=None)
    services.answer_upload(
        entity=activity.entity,
        raw=notification(
            (the_in(late).reference, "11", [("90373-460", "Laattijdige aangifte", "NP")]),
            (
                the_in(refused).reference,
                "",
                [("90373-460", "Laattijdige aangifte", "NP"), ("00024-363", "INSZ verplicht", "B")],
            ),
            (the_in(unclassed).reference, "", [("00017-002", "Niet numeriek")]),
        ),
        actor=None,
    )
    warned = the_in(late)
    assert warned.status == S.ACCEPTED and warned.authority_codes == ["90373-460"]
    late.refresh_from_db()
    assert late.status == EmploymentContract.Status.DECLARED
    assert the_in(refused).status == S.REJECTED
    assert the_in(unclassed).status == S.REJECTED
    client = payroll_client(client, activity.entity)
    html = client.get(reverse("declarations:detail", args=[warned.public_id])).content.decode()
    assert "Accepted with warnings" in html and "Laattijdige aangifte" in html


def test_mark_declared_by_hand_only_where_no_declaration_of_ours_covers_the_contract(
    entity, client, settings
):
    activity = worker_activity(entity)
    dimona = make_contract(activity, days=1)
    client = payroll_client(client, activity.entity)
    url = reverse("activities:staff_contract", args=[dimona.public_id])
    assert 'value="declare"' not in client.get(url).content.decode()
    page = client.post(url, {"action": "declare"}, follow=True)
    assert "declared by its Dimona IN" in page.content.decode()
    dimona.refresh_from_db()
    assert dimona.status == EmploymentContract.Status.VALIDATED

    # The documented case: a French CAPE gets no DPAE, so staff record the declaration made
    # outside smartcoop.
    settings.COUNTRY_PACK = load_pack("FR")
    cape = make_contract(activity, start=dt.date.today() + dt.timedelta(days=20), kind="cape")
    assert not Declaration.objects.with_scopes_disabled().filter(contract=cape).exists()
    url = reverse("activities:staff_contract", args=[cape.public_id])
    assert 'value="declare"' in client.get(url).content.decode()
    client.post(url, {"action": "declare"})
    cape.refresh_from_db()
    assert cape.status == EmploymentContract.Status.DECLARED
