from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from invoicing import services
from invoicing.models import Invoice

pytestmark = [pytest.mark.entity_scope("be_entity"), pytest.mark.django_db]

LINE = {"description": "Sound design", "quantity": "1", "unit": "DAY", "unit_price": "1000"}


def test_the_api_creates_a_deposit_and_a_final_invoice_that_deducts_it(activity, be_client, member):
    api = APIClient()
    api.force_authenticate(member.user)
    url = reverse("api_invoicing_invoices")
    body = {
        "activity": str(activity.public_id),
        "client": str(be_client.public_id),
        "lines": [{**LINE, "unit_price": "300"}],
        "is_deposit": True,
    }
    created = api.post(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["is_deposit"] is True
    deposit = services.invoice_issue(
        invoice=Invoice.objects.get(public_id=created.json()["public_id"]),
        issued_by=member.user,
        on=date(2026, 3, 2),
    )
    final = api.post(
        url,
        {
            "activity": str(activity.public_id),
            "client": str(be_client.public_id),
            "lines": [LINE],
            "deposits": [str(deposit.public_id)],
        },
        format="json",
    )
    assert final.status_code == 201, final.json()
    assert Decimal(final.json()["total_excl_vat"]) == Decimal("700.00")

    again = api.post(
        url,
        {
            "activity": str(activity.public_id),
            "client": str(be_client.public_id),
            "lines": [LINE],
            "deposits": ["00000000-0000-0000-0000-000000000000"],
        },
        format="json",
    )
    assert again.status_code == 404
