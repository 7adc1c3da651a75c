"""Browser journey of the Activity side: a member creates an Activity, the adviser validates it,
the member uses the simulator, declares a performance with the Contract tool (invoicing's form:
the invoice and the employment contract are made together), requests a salary from the budget
and submits an expense claim, the adviser approves it."""

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from activities import services
from activities.models import Activity, EmploymentContract, ExpenseClaim
from invoicing.models import Invoice
from smartcoop.core.totp import current_code
from tests.activities.factories import make_member
from tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    LegalEntityFactory,
    OfficeFactory,
    staff_user,
)
from tests.invoicing.conftest import theater_antwerpen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def totp() -> str:
    """The current code, taken early enough in its 30-second window that the server still
    accepts it when the form arrives."""
    left = 30 - time.time() % 30
    if left < 8:
        time.sleep(left + 0.5)
    return current_code(TEST_TOTP_SECRET)


def login(page: Page, base: str, email: str, *, staff: bool = False) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    if staff:
        page.fill("input[name=code]", totp())
        page.locator("main form button[type=submit]").first.click()
    # Wait for the sign-in to land: a goto() while the POST is still in flight (a loaded
    # machine) would abort it and leave the person signed out.
    expect(page).not_to_have_url(re.compile(r"/accounts/"), timeout=30_000)


@pytest.fixture
def journey_entity(db):
    return LegalEntityFactory(name="Productions Associées")


@pytest.mark.entity_scope("journey_entity")
def test_activity_journey(live_server, page: Page, journey_entity):
    base = live_server.url
    entity = journey_entity
    office = OfficeFactory()
    member = make_member(office=office)
    adviser = staff_user("adviser", office=office, entities=[entity])

    # The member creates an Activity.
    login(page, base, member.user.email)
    page.goto(base + "/activities/")
    page.get_by_role("link", name="New Activity").click()
    page.fill("input[name=name]", "Sound for dance")
    page.select_option("select[name=sector]", "image_sound_stage")
    page.get_by_role("button", name="Create the Activity").click()
    expect(page.get_by_role("heading", name="Sound for dance")).to_be_visible()
    expect(page.get_by_text("has not validated this Activity yet")).to_be_visible()

    # The adviser (in a browser of their own: a TOTP code is accepted once) validates it.
    desk = page.context.browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    back = desk.new_page()
    login(back, base, adviser.email, staff=True)
    back.goto(base + "/activities/staff/")
    back.get_by_role("link", name="Sound for dance").first.click()
    back.get_by_role("button", name="Validate").click()
    expect(back.get_by_text("Active").first).to_be_visible()
    activity = Activity.objects.get(name="Sound for dance")
    assert activity.status == "active"

    # A client pays an invoice (invoicing calls the ledger).
    services.activity_credit_client_payment(
        activity=activity,
        amount_excl_vat=Decimal("2000.00"),
        on=dt.date.today(),
        source_type="invoicing.payment",
        source_id="e2e-1",
        actor=None,
    )

    # The member uses the simulator.
    page.goto(base + "/activities/simulator/")
    page.fill("input[name=amount]", "1000")
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_text("€603.22").first).to_be_visible()

    # Contract tool: a performance for a client gives the invoice and the contract at once.
    theater_antwerpen(entity=entity, member=member, activity=activity)
    page.goto(base + "/invoicing/performance/")
    day = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    page.fill("input[name=function]", "Sound engineer")
    page.fill("input[name=start_date]", day)
    page.fill("input[name=end_date]", day)
    page.fill("input[name=hours]", "8")
    page.fill("input[name=price_excl_vat]", "1000")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_text("the invoice and your employment contract are created")).to_be_visible()
    invoice = Invoice.objects.get(activity=activity)
    assert invoice.is_issued and invoice.total_excl_vat == Decimal("1000.00")
    performance_contract = EmploymentContract.objects.get(start_date=day)
    assert performance_contract.gross_wage == Decimal(
        "603.22"
    )  # the largest cent of (1000 - 6.5 %) / 1.55
    page.goto(base + "/activities/")
    expect(page.get_by_text("€603.22").first).to_be_visible()
    page.goto(base + f"/activities/a/{activity.public_id}/")

    page.get_by_role("link", name="Request a salary").click()
    start = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    page.fill("input[name=start_date]", start)
    page.fill("input[name=end_date]", start)
    page.fill("input[name=hours]", "8")
    page.fill("input[name=gross_wage]", "500")
    page.fill("input[name=function]", "Sound designer")
    page.get_by_role("button", name="See gross, cost and net").click()
    expect(page.get_by_text("€775.00")).to_be_visible()
    page.get_by_role("button", name="Confirm the request").click()
    expect(page.get_by_text("Your salary request was sent")).to_be_visible()
    assert EmploymentContract.objects.exclude(pk=performance_contract.pk).get().employer_cost == (
        Decimal("775.00")
    )

    # ... and submits an expense claim.
    page.goto(base + f"/activities/a/{activity.public_id}/")
    page.get_by_role("link", name="Expense claim").click()
    page.fill("input[name=title]", "Trip to Lille")
    page.get_by_role("button", name="Create and add lines").click()
    page.fill("input[name=spent_on]", dt.date.today().isoformat())
    page.select_option("select[name=category]", "km")
    page.fill("input[name=description]", "Brussels - Lille")
    page.fill("input[name=km]", "230")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("button", name="Send to my adviser").click()
    expect(page.get_by_text("Your claim was sent")).to_be_visible()

    # The adviser approves it: the reimbursement leaves the budget.
    back.goto(base + "/activities/staff/")
    back.get_by_role("link", name="Trip to Lille").click()
    back.get_by_role("button", name="Approve and reimburse").click()
    expect(back.get_by_text("Claim approved")).to_be_visible()
    desk.close()
    assert ExpenseClaim.objects.get().status == "approved"
