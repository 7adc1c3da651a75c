"""A member on a desktop (1280 px) in Dutch: the Activity page shows every column of its tables
inside their cards (the month-by-month table's last column, the balance at month end, was pushed
out of its card by headers kept on one line)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from activities import services as activity_services
from members.models import Member
from tests.e2e.test_client_pages import no_sideways_scroll
from tests.factories import TEST_PASSWORD, LegalEntityFactory
from tests.invoicing.conftest import make_activity, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "nl-BE"}


@pytest.fixture
def entity(db):
    return LegalEntityFactory(name="Verenigde Producties / Productions Associées")


@pytest.mark.entity_scope("entity")  # the set-up's services run in the entity's scope
def test_the_activity_page_shows_every_column_of_its_tables_in_dutch(
    live_server, page: Page, entity
):
    member = make_member()
    member.onboarding_step = Member.OnboardingStep.DONE
    member.language = "nl"
    member.save(update_fields=["onboarding_step", "language"])
    activity = make_activity(entity=entity, member=member, name="Studio Lotte — sound design")
    activity_services.activity_credit_client_payment(
        activity=activity,
        amount_excl_vat=Decimal("12345.67"),
        on=date.today(),
        source_type="tests.payment",
        source_id="desktop-1",
        actor=None,
    )

    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(member.user.email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url("**/app/**")
    page.context.add_cookies(
        [{"name": "smartcoop_language", "value": "nl", "url": live_server.url}]
    )
    page.goto(live_server.url + f"/activities/a/{activity.public_id}/")
    expect(page.get_by_role("heading", name="Maand per maand")).to_be_visible()
    no_sideways_scroll(page)


@pytest.mark.entity_scope("entity")  # the set-up's services run in the entity's scope
def test_a_contract_abroad_shows_its_posting_documents_inside_their_card_in_dutch(
    live_server, page: Page, entity
):
    """The contract page's "Posting abroad" card (a third of the width) put its long Dutch label
    "Start geblokkeerd tot alles in orde is" in a column that left its values ~10 px: the A1
    badges were cut off at the card's edge and "ja" broke into two lines."""
    from activities.services import contract_validate
    from tests.activities.factories import credit, salary_contract
    from tests.e2e.test_member_phone import _nothing_hidden_sideways

    member = make_member()
    member.onboarding_step = Member.OnboardingStep.DONE
    member.language = "nl"
    member.save(update_fields=["onboarding_step", "language"])
    activity = make_activity(entity=entity, member=member, name="Studio Lotte — sound design")
    credit(activity, "5000.00")
    contract = contract_validate(
        contract=salary_contract(
            activity, workplace_country="FR", workplace_address="Le Phénix, Valenciennes"
        ),
        actor=None,
    )

    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(member.user.email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url("**/app/**")
    page.context.add_cookies(
        [{"name": "smartcoop_language", "value": "nl", "url": live_server.url}]
    )
    path = f"/activities/contracts/{contract.public_id}/"
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name="Detachering naar het buitenland")).to_be_visible()
    _nothing_hidden_sideways(page, path)
    blocked = page.locator("dl.kv dt", has_text="Start geblokkeerd").locator(
        "xpath=following-sibling::dd[1]"
    )
    lines = "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; }"
    assert blocked.evaluate(lines) == 1  # "ja" on one line
