"""Browser journey: a French entity's administrator records, in the entity settings, the date
from which it opted to pay VAT on debits; the date is stored and shown again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from smartcoop.core.models import AuditLogEntry
from tests.e2e.test_assembly_journey import signed_in
from tests.factories import LegalEntityFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_administrator_records_the_vat_on_debits_option(live_server, browser: Browser):
    entity = LegalEntityFactory(name="Coopérative des Arts")
    administrator = staff_user("administrator", entities=[entity])
    page = signed_in(browser, live_server, administrator).new_page()
    page.goto(live_server.url + reverse("core:entity_settings"))
    field = page.locator("input[name=vat_on_debits_from]")
    expect(field).to_have_value("")
    field.fill("2026-09-01")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    expect(page.locator("input[name=vat_on_debits_from]")).to_have_value("2026-09-01")
    entity.refresh_from_db()
    assert entity.vat_on_debits_from == dt.date(2026, 9, 1)
    assert AuditLogEntry.objects.filter(actor=administrator).exists()
