"""Browser journey: the adviser validates a contract, its Dimona IN goes out by the web service
(a real Celery worker, a fake ONSS on loopback), the authority accepts, and the member sees
"Declared" on the contract page."""

from __future__ import annotations

import time

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from declarations.models import ChannelSetting, Declaration
from tests.activities.test_e2e_journey import login
from tests.declarations.fake_authority import FakeAuthority
from tests.declarations.helpers import INSS, make_contract, worker_activity
from tests.factories import LegalEntityFactory, OfficeFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey_entity(db):
    return LegalEntityFactory(name="Verenigde Producties")


@pytest.mark.entity_scope("journey_entity")
def test_adviser_validates_the_dimona_goes_out_and_the_member_sees_declared(
    celery_worker, live_server, page: Page, journey_entity
):
    base = live_server.url
    with FakeAuthority() as authority, scopes_disabled():
        office = OfficeFactory()
        adviser = staff_user("adviser", office=office, entities=[journey_entity])
        activity = worker_activity(journey_entity)
        member = activity.coordinator
        member.office = office
        member.save()
        ChannelSetting.objects.create(
            entity=journey_entity, channel="http", base_url=authority.url, timeout_seconds="5"
        )
        contract = make_contract(activity, validate=False)

        login(page, base, adviser.email, staff=True)
        page.goto(f"{base}/activities/staff/contracts/{contract.public_id}/")
        page.get_by_role("button", name="Validate").click()
        expect(page.locator("[data-declaration-status]")).to_be_visible()

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            declaration = Declaration.objects.get(contract=contract, kind="dimona_in")
            if declaration.status == "accepted":
                break
            time.sleep(0.3)
        assert declaration.status == "accepted"
        [filing] = authority.filings.values()  # filed once
        assert filing["body"]["worker"] == {"ssin": INSS}

        own = page.context.browser.new_context(
            locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        mine = own.new_page()
        login(mine, base, member.user.email)
        mine.goto(f"{base}/activities/contracts/{contract.public_id}/")
        status = mine.locator("[data-declaration-status]")
        expect(status).to_contain_text("Declared")
        expect(status).to_contain_text("Dimona IN accepted on")
        expect(mine.get_by_text("Declared", exact=True).first).to_be_visible()
        own.close()
