"""Browser journey: the adviser checks a Belgian contract's joint committee before validating it,
types nonsense and is told why at the field, corrects it and validates; the member reads it."""

import re

import pytest
from playwright.sync_api import Page, expect

from activities.models import EmploymentContract
from tests.activities.factories import ActivityFactory, credit, make_member, salary_contract
from tests.activities.test_e2e_journey import login
from tests.factories import LegalEntityFactory, OfficeFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def committee_entity(db):
    return LegalEntityFactory(name="Verenigde Producties")


@pytest.mark.entity_scope("committee_entity")
def test_the_adviser_corrects_the_committee_then_validates(
    live_server, page: Page, committee_entity
):
    base = live_server.url
    office = OfficeFactory()
    member = make_member(office=office)
    activity = ActivityFactory(entity=committee_entity, coordinator=member)
    credit(activity, "2000.00")
    contract = salary_contract(activity, contract_type="artistic")
    adviser = staff_user("adviser", office=office, entities=[committee_entity])

    login(page, base, adviser.email, staff=True)
    page.goto(f"{base}/activities/staff/contracts/{contract.public_id}/")
    field = page.locator("#joint-committee input[name=joint_committee]")
    expect(field).to_have_value("304")
    field.fill("30")
    page.locator("#joint-committee button[type=submit]").click()
    expect(page.locator("#joint-committee .has-error")).to_contain_text(
        "A joint committee is a number of 3 digits"
    )
    assert EmploymentContract.objects.get(pk=contract.pk).joint_committee == "304"

    page.locator("#joint-committee input[name=joint_committee]").fill("PC 304.01")
    page.locator("#joint-committee button[type=submit]").click()
    expect(page.get_by_text("The contract falls under joint committee 304.01.")).to_be_visible()
    page.get_by_role("button", name="Validate", exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text(re.compile("Validated"))
    expect(page.locator("#joint-committee")).to_have_count(0)

    reader = page.context.browser.new_context(locale="en-GB")
    own = reader.new_page()
    login(own, base, member.user.email)
    own.goto(f"{base}/activities/contracts/{contract.public_id}/")
    expect(own.locator("dl.kv")).to_contain_text("Joint committee")
    expect(own.locator("dl.kv")).to_contain_text("304.01")
    reader.close()
