"""A payroll officer on a phone (390 x 844), in French: the declarations queue and a Dimona's
page (with its 64-character SHA-256) fit the screen without scrolling the page sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from declarations.models import Declaration
from tests.activities.test_e2e_journey import login
from tests.declarations.helpers import make_contract, worker_activity
from tests.factories import LegalEntityFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "fr-BE", "is_mobile": True}


@pytest.fixture
def entity(db):
    return LegalEntityFactory(name="Verenigde Producties / Productions Associées")


@pytest.mark.entity_scope("entity")
def test_the_declarations_pages_fit_a_phone(live_server, page: Page, entity):
    contract = make_contract(worker_activity(entity), start=dt.date.today() + dt.timedelta(days=9))
    dimona = Declaration.objects.with_scopes_disabled().get(contract=contract, kind="dimona_in")
    assert len(dimona.payload_sha256) == 64
    officer = staff_user("payroll_officer", entities=[entity])
    officer.preferred_language = "fr"
    officer.save(update_fields=["preferred_language"])
    login(page, live_server.url, officer.email, staff=True)
    for path in ("/declarations/staff/", f"/declarations/staff/{dimona.public_id}/"):
        page.goto(live_server.url + path)
        expect(page.locator("main h1")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px phone"
    expect(page.get_by_text(dimona.payload_sha256)).to_be_visible()
