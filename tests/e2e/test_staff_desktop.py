"""Staff on a desktop (1280 px) in Dutch: the budget reconciliation, the loan register (a loan
to decide and one being repaid, with their forms) and the audit log show every column inside
their cards. The loan register's last column and the audit log's details were cut off at the
card's edge: long Dutch headers, a button and unbreakable action names pushed them out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from activities import services
from tests.activities.test_e2e_journey import login
from tests.e2e.test_member_phone import _nothing_hidden_sideways
from tests.factories import LegalEntityFactory, staff_user
from tests.invoicing.conftest import make_activity, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entity(db):
    return LegalEntityFactory(name="Verenigde Producties / Productions Associées")


@pytest.mark.entity_scope("entity")  # the set-up's services run in the entity's scope
def test_reconciliation_loans_and_audit_log_fit_their_cards_in_dutch(
    live_server, page: Page, entity
):
    member = make_member()
    activity = make_activity(entity=entity, member=member, name="Studio Lotte — sound design")
    activity.memberships.update(can_spend=True)
    services.activity_credit_client_payment(
        activity=activity,
        amount_excl_vat=Decimal("12345.67"),
        on=date.today(),
        source_type="tests.payment",
        source_id="desk-1",
        actor=None,
    )
    for purpose in ("A new mixing desk for the studio", "Two microphones"):
        loan = services.loan_apply(
            activity=activity,
            member=member,
            purpose=purpose,
            amount=Decimal("2400"),
            months=12,
            actor=member.user,
        )
    services.loan_decide(loan=loan, approve=True, reason="", actor=None)
    services.loan_disburse(loan=loan, actor=None)

    officer = staff_user("administrator", entities=[entity])
    officer.preferred_language = "nl"
    officer.save(update_fields=["preferred_language"])
    login(page, live_server.url, officer.email, staff=True)
    for path, heading in (
        ("/activities/staff/reconciliation/", "Afstemming van de budgetten"),
        ("/activities/staff/loans/", "Leningenregister"),
        ("/backoffice/audit/", "Auditlogboek"),
    ):
        page.goto(live_server.url + path)
        expect(page.locator("main h1")).to_have_text(heading)
        _nothing_hidden_sideways(page, path)
    # The forms of the last column are there, whole: refuse with a reason, repay early.
    page.goto(live_server.url + "/activities/staff/loans/")
    expect(page.get_by_role("button", name="Vervroegde terugbetaling")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Weigeren")).to_be_in_viewport()
