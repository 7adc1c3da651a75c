"""Browser journey: an adviser moves the end of a contract whose Dimona IN the ONSS accepted.
Without a reason the change is refused at the field and nothing moves; with one, the contract
has its new dates and its page says the Dimona UPDATE is ready to be sent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.formats import date_format
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Browser, expect

from activities.models import EmploymentContract
from declarations.models import Declaration
from tests.declarations.helpers import make_contract, worker_activity
from tests.declarations.test_contract_changes import accept
from tests.e2e.conftest import shot
from tests.e2e.test_assembly_journey import signed_in
from tests.factories import LegalEntityFactory, OfficeFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_adviser_moves_a_declared_contract_and_the_dimona_update_is_queued(
    live_server, browser: Browser
):
    with scopes_disabled():
        entity = LegalEntityFactory(name="Verenigde Producties")
        office = OfficeFactory()
        adviser = staff_user("adviser", office=office, entities=[entity])
        activity = worker_activity(entity)
        activity.coordinator.office = office
        activity.coordinator.save()
    with scope(entity=entity.pk):
        contract = make_contract(activity, days=2)
        accept(contract, "4711")  # the ONSS accepted the Dimona IN
    new_end = contract.end_date + dt.timedelta(days=2)

    page = signed_in(browser, live_server, adviser).new_page()
    page.goto(f"{live_server.url}/activities/staff/contracts/{contract.public_id}/")
    expect(page.locator("[data-declaration-status]")).to_contain_text("Declared")
    form = page.locator("#change-dates")
    form.get_by_label("End date").fill(new_end.isoformat())
    form.get_by_label("Hours").fill("24")
    form.get_by_role("button", name="Change the dates").click()
    expect(page.locator("#change-dates .errorlist, #change-dates .has-error").first).to_be_visible()
    shot(page, "contract-dates-refused")
    with scopes_disabled():
        assert EmploymentContract.objects.get(pk=contract.pk).end_date == contract.end_date

    form = page.locator("#change-dates")
    form.get_by_label("End date").fill(new_end.isoformat())
    form.get_by_label("Hours").fill("24")
    form.get_by_label("Why the dates change").fill("The festival added two days")
    form.get_by_role("button", name="Change the dates").click()
    expect(page.get_by_text("The contract's dates are changed.")).to_be_visible()
    expect(page.get_by_text(date_format(new_end, "DATE_FORMAT")).first).to_be_visible()
    status = page.locator("[data-declaration-status]")
    expect(status).to_contain_text("Declared")
    expect(status).to_contain_text("Dimona UPDATE ready, to be sent.")
    shot(page, "contract-dates-changed")
    with scopes_disabled():
        contract.refresh_from_db()
        update = Declaration.objects.get(contract=contract, kind="dimona_update")
    assert (contract.end_date, contract.hours) == (new_end, Decimal("24"))
    assert update.status == "ready" and "4711" in update.payload
