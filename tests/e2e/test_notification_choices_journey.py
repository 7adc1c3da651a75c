"""Browser journey: a member turns off the e-mails of one kind of news by clicking its box and
saving; only that choice is stored, and the payroll officers' kinds are not offered to them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from smartcoop.core.models import NotificationPreference
from tests.e2e.test_assembly_journey import signed_in
from tests.invoicing.conftest import make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_stops_the_e_mails_of_validated_contracts(live_server, browser: Browser):
    member = make_member()
    page = signed_in(browser, live_server, member.user).new_page()
    page.goto(live_server.url + reverse("core:notification_preferences"))
    email = page.locator("#activities\\.contract_validated-email")
    expect(email).to_be_checked()
    expect(page.locator("input[name^='declarations.']")).to_have_count(0)  # officers' kinds

    email.uncheck()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_load_state()

    expect(page.locator("#activities\\.contract_validated-email")).not_to_be_checked()
    choice = NotificationPreference.objects.get(
        user=member.user, kind="activities.contract_validated"
    )
    assert (choice.in_account, choice.by_email) == (True, False)
    others = NotificationPreference.objects.filter(user=member.user).exclude(
        kind="activities.contract_validated"
    )
    assert all(p.in_account and p.by_email for p in others)
