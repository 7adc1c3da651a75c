"""Browser journey (Playwright + Debian chromium): a newcomer signs up, joins through the
wizard, books an information session, subscribes a share and sees the payment instructions
with the QR code; accounting confirms the payment; the member sees their number, status and
certificate; their adviser finds them in the portfolio."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import InfoSession
from tests.e2e.conftest import (  # noqa: F401 (fixtures)
    browser_context_args,
    browser_type_launch_args,
    confirmation_link,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login_as(page: Page, live_server, user) -> None:
    """Reuse a Django session in the browser (staff would otherwise type a TOTP code)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_newcomer_joins_pays_and_is_found_by_their_adviser(
    live_server,
    page: Page,
    coop,
    office_a,
    adviser_a,
    accountant,
    eager_tasks,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    InfoSession.objects.create(
        starts_at=timezone.now() + timedelta(days=3),
        language="en",
        mode="online",
        online_url="https://meet.example.org/info",
        capacity=12,
    )
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_role("button", name="en").click()
    page.locator("input[name=email]").fill("joiner@example.org")
    page.locator("input[name=password1]").fill("a-long-and-unusual-passphrase")
    page.locator("input[name=password2]").fill("a-long-and-unusual-passphrase")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")
    page.goto(confirmation_link(mail.outbox[-1].body))
    page.get_by_role("button", name="Confirm").click()

    # The wizard, on a phone-sized screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("navigation", name="Member area").get_by_role(
        "link", name="My membership"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the cooperative")
    page.get_by_label("First name").fill("Joanna")
    page.get_by_label("Last name").fill("Vermeulen")
    page.get_by_label("Birth date").fill("1985-07-30")
    page.get_by_label("National register or BIS number").fill("85.07.30-033.28")
    page.get_by_label("Street and number").fill("Rue Haute 5")
    page.get_by_label("Postcode").fill("1000")
    page.get_by_label("City").fill("Bruxelles")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("IBAN").fill("BE68 5390 0754 7034")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Profession").fill("Stage manager")
    page.get_by_label("Sector").select_option("performing_literary")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_test_id("member-status")).to_have_text("Applicant")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Book an information session").click()
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_text("You are booked.")).to_be_visible()

    page.get_by_role("navigation", name="Member area").get_by_role(
        "link", name="My membership"
    ).click()
    page.get_by_role("link", name="Subscribe your share").click()
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment instructions")
    expect(page.get_by_test_id("iban")).to_have_text(coop.iban)
    expect(page.get_by_test_id("amount")).to_contain_text("30.00")
    expect(page.get_by_test_id("structured")).to_have_text(
        __import__("re").compile(r"^\+\+\+\d{3}/\d{4}/\d{5}\+\+\+$")
    )
    expect(page.get_by_role("img", name="EPC QR code")).to_be_visible()
    member_page = page.url

    # Accounting confirms the payment.
    login_as(page, live_server, accountant)
    page.goto(live_server.url + "/members/staff/payments/")
    expect(page.get_by_role("row", name="Joanna Vermeulen")).to_be_visible()
    page.get_by_role("button", name="Confirm payment").click()
    expect(page.get_by_text("Joanna Vermeulen is member number 1")).to_be_visible()

    # The member sees their status, number and certificate.
    from members.models import Member

    joiner = Member.objects.get(email="joiner@example.org")
    login_as(page, live_server, joiner.user)
    page.goto(member_page)
    page.get_by_role("link", name="My membership").last.click()
    expect(page.get_by_test_id("member-status")).to_have_text("Member")
    expect(page.get_by_test_id("member-number")).to_have_text("1")
    href = page.get_by_role("link", name="Share certificate (PDF)").get_attribute("href")
    certificate = page.request.get(live_server.url + href)
    assert certificate.headers["content-type"] == "application/pdf"
    assert certificate.body().startswith(b"%PDF")

    # The adviser of the office serving postcode 1000 finds them.
    login_as(page, live_server, adviser_a)
    page.goto(live_server.url + "/members/staff/portfolio/")
    page.get_by_label("Search").fill("vermeulen")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Joanna Vermeulen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joanna Vermeulen")
    expect(page.get_by_text("Stage manager")).to_be_visible()
