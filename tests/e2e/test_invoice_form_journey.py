"""Browser journey: a member writes an invoice for goods delivered elsewhere than the client's
address, by choosing and typing in the form as a person would. Half a delivery address is refused
at its field with nothing stored; the whole one is kept with the category."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import Browser, expect

from invoicing.models import Invoice
from tests.e2e.conftest import shot
from tests.e2e.test_assembly_journey import signed_in
from tests.factories import LegalEntityFactory
from tests.invoicing.conftest import make_activity, make_member, theater_antwerpen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_invoices_goods_delivered_elsewhere(live_server, browser: Browser):
    with scopes_disabled():
        entity = LegalEntityFactory(name="Verenigde Producties", invoice_series_prefix="VP")
        member = make_member()
        activity = make_activity(entity=entity, member=member)
        client = theater_antwerpen(entity=entity, member=member, activity=activity)

    page = signed_in(browser, live_server, member.user).new_page()
    page.goto(live_server.url + reverse("invoicing:member_invoice_new"))
    page.select_option("select[name=activity]", str(activity.public_id))
    page.select_option("select[name=client]", str(client.public_id))
    page.select_option("select[name=operation_category]", "goods")
    page.fill("input[name=delivery_street]", "Havenlaan 2")
    page.fill("input[name=delivery_city]", "Gent")
    page.fill("input[name=lines-0-description]", "Stage set, delivered to the harbour hall")
    page.fill("input[name=lines-0-quantity]", "1")
    page.fill("input[name=lines-0-unit_price]", "800")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()

    postcode = page.locator(".field", has=page.locator("[name=delivery_postcode]"))
    expect(postcode.locator(".errorlist")).to_contain_text(
        "A delivery address needs a street, a postcode, a city and a country."
    )
    expect(page.locator("input[name=delivery_street]")).to_have_value("Havenlaan 2")  # kept
    with scopes_disabled():
        assert not Invoice.objects.exists()

    page.fill("input[name=delivery_postcode]", "9000")
    page.fill("input[name=delivery_country]", "be")
    shot(page, "invoice-delivery-address")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()

    with scopes_disabled():
        invoice = Invoice.objects.get()
    assert invoice.operation_category == Invoice.OperationCategory.GOODS
    assert (invoice.delivery_street, invoice.delivery_postcode, invoice.delivery_city) == (
        "Havenlaan 2",
        "9000",
        "Gent",
    )
    assert invoice.delivery_country == "BE"
    assert invoice.lines.get().description == "Stage set, delivered to the harbour hall"
