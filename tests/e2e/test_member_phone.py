"""A member on a phone (390 x 844): every member page fits the screen (no horizontal scroll of
the page: document.documentElement.scrollWidth <= 390), and a salary request that is over budget
stays usable: the largest gross is offered, then confirmed, all by tapping like a person."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from activities import services as activity_services
from activities.models import EmploymentContract
from invoicing import services as invoicing_services
from members import services as member_services
from members.models import Member
from smartcoop.core.notifications import notify
from tests.factories import TEST_PASSWORD, LegalEntityFactory
from tests.invoicing.conftest import LINES, make_activity, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "en-GB", "is_mobile": True}


def _fits(page: Page, path: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px phone"


def _nothing_hidden_sideways(page: Page, path: str) -> None:
    """No box of the page (a card, a table's wrapper) hides part of its content behind a sideways
    scroll of its own: on a phone nobody finds that scroll, the column just looks cut off."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{path} is {width} px wide in a {window} px window"
    scrolling = page.evaluate(
        "() => [...document.querySelectorAll('main *')]"
        ".filter(e => e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1"
        " && getComputedStyle(e).overflowX !== 'visible')"
        ".map(e => `${e.tagName}.${e.className} ${e.scrollWidth}/${e.clientWidth}px`)"
    )
    assert not scrolling, (path, scrolling)


@pytest.fixture
def entity(db):
    return LegalEntityFactory(
        name="Verenigde Producties / Productions Associées",
        email="facturatie@example.org",
        invoice_series_prefix="VP",
        credit_note_series_prefix="VPC",
    )


@pytest.mark.entity_scope("entity")  # the set-up's services run in the entity's scope
def test_member_pages_fit_a_phone_and_a_refused_salary_request_stays_usable(
    live_server, page: Page, entity
):
    LegalEntityFactory(
        slug="coop",
        name="SmartCoop",
        is_cooperative=True,
        is_employer=False,
        iban="BE71096123456769",
        bic="GKCCBEBB",
    )
    member = make_member()
    member.onboarding_step = Member.OnboardingStep.DONE
    member.language = "en"
    member.save(update_fields=["onboarding_step", "language"])
    activity = make_activity(entity=entity, member=member, name="Studio Lotte — sound design")
    activity.memberships.update(can_request_salary=True, can_spend=True)
    activity_services.activity_credit_client_payment(
        activity=activity,
        amount_excl_vat=Decimal("1000.00"),
        on=date.today(),
        source_type="tests.payment",
        source_id="phone-1",
        actor=None,
    )
    client = invoicing_services.client_create(
        entity=entity,
        actor=member.user,
        activity=activity,
        kind="company",
        name="Koninklijke Vlaamse Schouwburg en Muziekcentrum nv",
        street="Kunstlaan 1",
        postcode="2000",
        city="Antwerpen",
        country="BE",
        vat_number="BE0403170701",
        email="ap@theater.example",
        language="en",
    )
    invoice = invoicing_services.invoice_issue(
        invoice=invoicing_services.invoice_draft_save(
            actor=member.user, activity=activity, client=client, lines=LINES
        ),
        issued_by=member.user,
        on=date.today() - timedelta(days=3),
    )
    invoicing_services.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=LINES[:1]
    )
    subscription = member_services.share_subscribe(member=member, actor=member.user, shares=2)
    invoicing_services.quote_create(
        actor=member.user, activity=activity, client=client, title="Sound, May", lines=LINES
    )
    notify(
        user=member.user,
        kind="invoicing.client_paid",
        params={
            "reference": invoice.reference,
            "client": client.name,
            "amount": Decimal("1159.20"),
            "due": Decimal("0"),
        },
        url=f"/invoicing/{invoice.public_id}/",
    )

    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(member.user.email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url("**/app/**")
    for path in (
        "/app/",
        "/app/notifications/",
        "/app/notifications/preferences/",
        "/members/membership/",
        f"/members/shares/{subscription.public_id}/",
        "/invoicing/",
        f"/invoicing/{invoice.public_id}/",
        "/invoicing/clients/",
        "/invoicing/new/",
        "/invoicing/quotes/",
        "/invoicing/quotes/new/",
        "/activities/",
        f"/activities/a/{activity.public_id}/",
        f"/activities/a/{activity.public_id}/salary/",
    ):
        page.goto(live_server.url + path)
        expect(page.locator("main h1")).to_be_visible()
        _fits(page, path)

    # In Dutch (longer words, "€ 1.159,20"), the lists keep every column they show in view:
    # the invoice and quote lists, the year's figures, the Activities and the shares.
    page.locator("form.lang-form").get_by_role("button", name="nl", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    for path in (
        "/app/",
        "/invoicing/",
        "/invoicing/quotes/",
        "/activities/",
        "/members/membership/",
        "/payroll/",
    ):
        page.goto(live_server.url + path)
        expect(page.locator("main h1")).to_be_visible()
        _nothing_hidden_sideways(page, path)
    page.locator("form.lang-form").get_by_role("button", name="en", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(live_server.url + f"/activities/a/{activity.public_id}/salary/")

    # The budget allows €603.22 as an employee (935.00 available); ask for €900.00.
    start = (date.today() + timedelta(days=14)).isoformat()
    expect(page.get_by_text("€603.22").first).to_be_visible()  # shown before trying
    page.select_option("select[name=contract_type]", "employee")
    page.fill("input[name=start_date]", start)
    page.fill("input[name=end_date]", start)
    page.fill("input[name=hours]", "8")
    page.fill("input[name=gross_wage]", "900.00")
    page.fill("input[name=function]", "Sound engineer")
    page.get_by_role("button", name="See gross, cost and net").click()
    expect(page.get_by_text("the largest gross wage you can request is €603.22")).to_be_visible()
    _fits(page, "salary request refused")
    # The values are still there, and a button offers the largest gross.
    expect(page.locator("input[name=function]")).to_have_value("Sound engineer")
    page.get_by_role("button", name="Use the largest gross (€603.22)").click()
    expect(page.locator("input[name=gross_wage]")).to_have_value("603.22")
    page.get_by_role("button", name="Confirm the request").click()
    expect(page.get_by_text("Your salary request was sent to your adviser.")).to_be_visible()
    contract = EmploymentContract.objects.get(member=member)
    assert contract.gross_wage == Decimal("603.22")
    assert contract.employer_cost == Decimal("934.99")


def test_the_simulator_shows_the_employer_cost_on_a_phone_in_every_language(
    live_server, page: Page
):
    """Before joining: per contract type the employer cost, gross and net stay in view on a
    390 px phone (the coefficient, contributions and withholding move to "Line by line"), also
    in Dutch and German, with the line by line open."""
    page.goto(live_server.url + "/activities/simulator/?amount=1000")
    for language in ("nl", "de", "fr", "en"):
        page.locator("form.lang-form").get_by_role("button", name=language, exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.locator("details.net-breakdown summary").first.click()
        _nothing_hidden_sideways(page, f"simulator ({language})")
        overflowing = page.evaluate(
            "() => [...document.querySelectorAll('table.sim-table > * > tr > *')]"
            ".filter(c => c.offsetParent && c.scrollWidth > c.clientWidth + 1)"
            ".map(c => c.innerText.slice(0, 30))"
        )
        assert not overflowing, (language, overflowing)  # no figure spills over its neighbour
        first = page.locator("table.sim-table > tbody > tr:not(.sim-phone-label)").first
        expect(first.locator("td").nth(2)).to_be_visible()  # the cost
        expect(page.locator("tr.sim-phone-label").first).to_be_visible()  # the type above it
        cost = {"nl": r"€\s934,99", "de": r"934,99\s€", "fr": r"934,99\s€", "en": "€934.99"}
        expect(first).to_contain_text(re.compile(cost[language]))
