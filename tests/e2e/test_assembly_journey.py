"""A general assembly in the browser: staff convene it, a member gives a proxy, another member
votes for both, staff close the vote, the results and the minutes PDF are there."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, expect

from governance import services
from governance.models import Assembly, Ballot, VoteRecord
from smartcoop.core.roles import Role
from tests.factories import LegalEntityFactory, staff_user
from tests.governance.conftest import holder

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(browser: Browser, live_server, user) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    return context


def test_convene_proxy_vote_for_both_close_results_and_minutes(live_server, browser: Browser):
    coop = LegalEntityFactory(is_cooperative=True, legal_form="SC", default_language="en")
    services.statutes_create(actor=None, entity=coop, valid_from=date(2020, 1, 1))
    grantor = holder(coop, first_name="Greta", on=date(2025, 1, 10))
    proxy_holder = holder(coop, first_name="Hugo", on=date(2025, 1, 10))
    clerk = staff_user(Role.ADMINISTRATOR, entities=[coop])

    staff = signed_in(browser, live_server, clerk).new_page()
    staff.goto(live_server.url + "/governance/staff/")
    starts = timezone.localtime() + timedelta(days=20)
    staff.get_by_label("Title").fill("General assembly 2027")
    staff.get_by_label("Starts at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_label("Place").fill("Brussels")
    staff.get_by_label("Livestream link").fill("https://stream.example.org/ag")
    staff.get_by_label("Record date").fill(timezone.localdate().isoformat())
    opens = timezone.localtime() + timedelta(days=1)
    staff.get_by_label("Online vote opens at").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    closes = starts + timedelta(hours=3)
    staff.get_by_label("Vote closes at").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_role("button", name="Create the assembly").click()
    # The assembly page also offers a board election with its own title: use the resolution's form.
    resolution_form = staff.locator(
        "form", has=staff.get_by_role("button", name="Add the resolution")
    )
    resolution_form.get_by_label("Title").fill("Approval of the accounts")
    resolution_form.get_by_role("button", name="Add the resolution").click()
    staff.get_by_role("button", name="Convene").click()
    expect(staff.get_by_text("Convened: 2 voters")).to_be_visible()
    assembly = Assembly.objects.get()

    member = signed_in(browser, live_server, grantor.user).new_page()
    member.goto(live_server.url + "/governance/")
    member.get_by_role("link", name="General assembly 2027").click()
    member.get_by_label("Member number of the proxy holder").fill(str(proxy_holder.member_number))
    member.get_by_role("button", name="Sign the proxy").click()
    expect(member.get_by_text("Your proxy is signed.")).to_be_visible()

    # A day passes: the online vote opens.
    Assembly.objects.filter(pk=assembly.pk).update(
        vote_opens_at=timezone.now() - timedelta(minutes=1)
    )
    voter = signed_in(browser, live_server, proxy_holder.user).new_page()
    voter.goto(live_server.url + f"/governance/{assembly.public_id}/")
    forms = voter.locator("form.vote-form")
    expect(forms).to_have_count(2)
    forms.nth(0).get_by_label("For", exact=True).check()
    forms.nth(0).get_by_role("button", name="Cast the vote").click()
    expect(voter.get_by_text("Your receipt")).to_be_visible()
    voter.locator("form.vote-form").nth(1).get_by_label("Against", exact=True).check()
    voter.locator("form.vote-form").nth(1).get_by_role("button", name="Cast the vote").click()
    receipt = voter.locator("[data-receipt]").inner_text().split("-")[0]
    assert VoteRecord.objects.count() == 2 and Ballot.objects.count() == 2

    staff.reload()
    staff.get_by_role("button", name="Close the vote and publish the results").click()
    expect(staff.get_by_text("The vote is closed and the results are published.")).to_be_visible()
    expect(staff.get_by_text("Rejected")).to_be_visible()  # 1 for, 1 against: no majority
    minutes = staff.request.get(
        live_server.url + f"/governance/staff/{assembly.public_id}/minutes.pdf"
    )
    assert minutes.body().startswith(b"%PDF")

    voter.goto(live_server.url + f"/governance/ballots/{assembly.public_id}/")
    voter.get_by_label("Your receipt code").fill(receipt)
    voter.get_by_role("button", name="Check").click()
    expect(voter.get_by_text("Counted: resolution 1")).to_be_visible()
