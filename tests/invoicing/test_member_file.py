"""The member 360° page shows the member's Activities, contracts, expense claims and invoices,
contributed by activities and invoicing through members.sections, each scoped like its app's
own staff pages (the entity worked in, the adviser's office)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from activities import services as activity_services
from invoicing import services
from smartcoop.core.roles import Role
from tests.factories import LegalEntityFactory, OfficeFactory, staff_user

from .conftest import LINES, make_activity, make_member

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = [pytest.mark.entity_scope("be_entity"), pytest.mark.django_db]


def test_the_member_file_lists_what_the_member_has_with_links(
    client, adviser, member, activity, be_client
):
    invoice = services.invoice_issue(
        invoice=services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES
        ),
        issued_by=member.user,
        on=date.today(),
    )
    activity_services.activity_credit_client_payment(
        activity=activity,
        amount_excl_vat=Decimal("1000"),
        on=date.today(),
        source_type="tests.payment",
        source_id="mf-1",
        actor=None,
    )
    start = date.today() + timedelta(days=12)
    contract = activity_services.contract_request_salary(
        activity=activity,
        member=member,
        contract_type="employee",
        start_date=start,
        end_date=start,
        hours=Decimal("8"),
        gross_wage=Decimal("200.00"),
        function="Stage manager",
        workplace_country="BE",
        workplace_address="",
        actor=member.user,
    )
    activity.memberships.update(can_spend=True, can_request_salary=True)
    claim = activity_services.expense_claim_create(
        activity=activity, member=member, title="Cables for the tour", actor=member.user
    )
    # Another entity's Activity of the same member is not shown while working in this entity.
    elsewhere = make_activity(entity=LegalEntityFactory(), member=member, name="Elsewhere")

    client.force_login(adviser)
    body = client.get(reverse("members:staff_member", args=[member.public_id])).content.decode()

    assert "will appear" not in body and "appear here as" not in body
    assert reverse("activities:staff_activity", args=[activity.public_id]) in body
    assert reverse("activities:staff_contract", args=[contract.public_id]) in body
    assert reverse("activities:staff_expense", args=[claim.public_id]) in body
    assert reverse("invoicing:staff_invoice", args=[invoice.public_id]) in body
    assert invoice.reference in body and "Stage manager" in body and "Cables for the tour" in body
    assert "€625.00" in body  # available: 1,000 - 6.5 % fee - 200 x 1.55 planned
    assert elsewhere.name not in body
    # The amount column is what the client still owes, not a due date (it read "Vervaldatum").
    client.cookies["smartcoop_language"] = "nl"
    body = client.get(reverse("members:staff_member", args=[member.public_id])).content.decode()
    assert "Nog verschuldigd" in body and "Vervaldatum" not in body


def test_an_adviser_of_another_office_sees_no_row(client, be_entity, member, activity, be_client):
    services.invoice_draft_save(actor=member.user, activity=activity, client=be_client, lines=LINES)
    other_member = make_member(office=OfficeFactory())
    other_adviser = staff_user(Role.ADVISER, office=OfficeFactory(), entities=[be_entity])
    # An administrator sees every member: the sections are there, scoped like the apps' pages.
    admin = staff_user(Role.ADMINISTRATOR, entities=[be_entity])
    client.force_login(admin)
    body = client.get(reverse("members:staff_member", args=[member.public_id])).content.decode()
    assert activity.name in body and "Theater Antwerpen" in body
    client.force_login(other_adviser)
    response = client.get(reverse("members:staff_member", args=[member.public_id]))
    assert response.status_code == 404
    assert other_member.pk != member.pk
