"""Browser journey: the adviser opens the contract validation queue, ticks the whole page, unticks
one, presses "Validate selected…", confirms, and the contracts are validated with their Dimona IN
queued (the contract page says so); the one left stays in the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from activities.models import EmploymentContract
from declarations.models import Declaration
from tests.activities.test_e2e_journey import login
from tests.declarations.helpers import make_contract, worker_activity
from tests.e2e.conftest import shot
from tests.factories import LegalEntityFactory, OfficeFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey_entity(db):
    return LegalEntityFactory(name="Verenigde Producties")


@pytest.mark.entity_scope("journey_entity")
def test_adviser_validates_the_ticked_contracts_in_one_go(live_server, page: Page, journey_entity):
    base = live_server.url
    first = dt.date.today() + dt.timedelta(days=10)
    with scopes_disabled():
        office = OfficeFactory()
        adviser = staff_user("adviser", office=office, entities=[journey_entity])
        contracts = []
        for n, name in enumerate(["Dance night", "Choir tour", "Film shoot"]):
            activity = worker_activity(journey_entity)
            activity.name = name
            activity.save()
            activity.coordinator.office = office
            activity.coordinator.save()
            contracts.append(
                make_contract(activity, start=first + dt.timedelta(days=n), validate=False)
            )
    dance, _choir, film = contracts

    login(page, base, adviser.email, staff=True)
    page.goto(f"{base}/activities/staff/")
    page.get_by_role("link", name="Validate several at once").click()
    expect(page.get_by_role("heading", name="Contracts to validate")).to_be_visible()

    page.get_by_label("Select all on this page").check()
    expect(page.get_by_text("Selected: 3")).to_be_visible()
    page.get_by_role("row").filter(has_text="Choir tour").get_by_role("checkbox").uncheck()
    expect(page.get_by_text("Selected: 2")).to_be_visible()
    shot(page, "bulk-validation-queue")
    page.get_by_role("button", name="Validate selected…").click()

    expect(page.get_by_role("heading", name="Validate these 2 contracts?")).to_be_visible()
    expect(page.get_by_role("cell", name="Dance night")).to_be_visible()
    expect(page.get_by_role("cell", name="Choir tour")).to_have_count(0)
    shot(page, "bulk-validation-confirm")
    with scopes_disabled():  # nothing is validated before the confirmation
        assert EmploymentContract.objects.filter(status="validated").count() == 0
    page.get_by_role("button", name="Validate 2 contracts").click()

    expect(
        page.get_by_text("2 contracts validated; their declarations are queued.")
    ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Choir tour")).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text="Dance night")).to_have_count(0)
    shot(page, "bulk-validation-done")
    with scopes_disabled():
        statuses = {
            c.pk: c.status
            for c in EmploymentContract.objects.filter(pk__in=[c.pk for c in contracts])
        }
        assert [statuses[c.pk] for c in contracts] == ["validated", "draft", "validated"]
        assert set(
            Declaration.objects.filter(kind="dimona_in").values_list("contract_id", flat=True)
        ) == {dance.pk, film.pk}

    page.goto(f"{base}/activities/staff/contracts/{film.public_id}/")
    status = page.locator("[data-declaration-status]")
    expect(status).to_contain_text("Not declared yet")
    expect(status).to_contain_text("Dimona IN ready, to be sent.")
