"""A newcomer finds the cooperative, creates an account, confirms it by e-mail, logs in and sees
the member area in Dutch and in French."""

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.e2e.conftest import confirmation_link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_newcomer_signs_up_confirms_email_and_sees_member_area_in_dutch_and_french(
    live_server, page: Page
):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="en").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Work freely")

    page.get_by_role("link", name="Become a member").click()
    page.get_by_label("Email:").fill("newcomer@example.org")
    page.get_by_label("Password:", exact=True).fill("a-long-and-unusual-passphrase")
    page.get_by_label("Password (again):").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@example.org"]
    page.goto(confirmation_link(mail.outbox[0].body))
    page.get_by_role("button", name="Confirm").click()

    # Confirming logs the newcomer in and brings them to the first step of joining.
    expect(page).to_have_url(f"{live_server.url}/members/join/identity/")
    expect(page.get_by_role("navigation", name="Member area")).to_be_visible()
    page.goto(live_server.url + "/app/")

    page.get_by_role("button", name="nl").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    expect(page.get_by_role("navigation", name="Ledenruimte")).to_contain_text("Overzicht")

    page.get_by_role("button", name="fr").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bienvenue")
    expect(page.get_by_role("navigation", name="Espace membre")).to_contain_text("Aperçu")

    # Logging out and in again works with the confirmed address.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill("newcomer@example.org")
    page.locator("input[name=password]").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(f"{live_server.url}/members/join/identity/")
