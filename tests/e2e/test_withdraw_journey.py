"""Browser journey: a payroll officer withdraws, by clicking, a DmfA left in draft for a quarter
with nothing to declare, giving the reason; it is kept, never sent, and no longer late."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Browser, expect

from declarations import dmfa, selectors, services
from declarations.models import Declaration
from smartcoop.core.models import AuditLogEntry
from tests.e2e.conftest import shot
from tests.e2e.test_assembly_journey import signed_in
from tests.factories import LegalEntityFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_officer_withdraws_an_empty_quarters_dmfa_with_a_reason(live_server, browser: Browser):
    quarter = dmfa.quarter_of(timezone.localdate().replace(day=1) - dt.timedelta(days=100))
    with scopes_disabled():
        entity = LegalEntityFactory(name="Coopérative Vide")
        officer = staff_user("payroll_officer", entities=[entity])
    with scope(entity=entity.pk):
        empty = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
        Declaration.objects.filter(pk=empty.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
        assert selectors.late_count(entity=entity) == 1

    page = signed_in(browser, live_server, officer).new_page()
    page.goto(live_server.url + reverse("declarations:detail", args=[empty.public_id]))
    card = page.locator("[data-withdraw]")
    expect(card).to_be_visible()
    card.locator("input[name=reason]").fill("No pay in this quarter: built by mistake")
    shot(page, "declaration-withdraw")
    card.locator("button[value=withdraw]").click()
    page.wait_for_load_state()

    expect(page.locator("[data-withdraw]")).to_have_count(0)  # nothing left to withdraw
    with scope(entity=entity.pk):
        empty.refresh_from_db()
        assert empty.status == Declaration.Status.WITHDRAWN
        assert selectors.late_count(entity=entity) == 0
    with scopes_disabled():
        entry = AuditLogEntry.objects.get(action="declarations.declaration.withdrawn")
    assert entry.actor == officer
    assert entry.data["reason"] == "No pay in this quarter: built by mistake"
