"""A board election in the browser: staff put it on the agenda with its seats, two members
stand with a statement (a third stands and withdraws), staff confirm them, members tick their candidates, staff close the
vote, the elected candidate is on the results and in the minutes. Screenshots of each page go
to /tmp/shots (to look at them)."""

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from governance import services
from governance.models import Assembly, Ballot, Candidacy
from smartcoop.core.roles import Role
from tests.e2e.test_assembly_journey import signed_in
from tests.factories import LegalEntityFactory, staff_user
from tests.governance.conftest import holder

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(tempfile.gettempdir()) / "shots"


def test_members_stand_staff_confirm_members_vote_and_the_elected_are_published(
    live_server, browser: Browser
):
    SHOTS.mkdir(exist_ok=True)
    coop = LegalEntityFactory(is_cooperative=True, legal_form="SC", default_language="en")
    services.statutes_create(actor=None, entity=coop, valid_from=date(2020, 1, 1))
    ada = holder(coop, first_name="Ada", on=date(2025, 1, 10))
    bram = holder(coop, first_name="Bram", on=date(2025, 1, 11))
    cleo = holder(coop, first_name="Cleo", on=date(2025, 1, 11))
    voters = [holder(coop, first_name=f"Voter{i}", on=date(2025, 1, 12)) for i in range(3)]
    clerk = staff_user(Role.ADMINISTRATOR, entities=[coop])
    now = timezone.now()
    assembly = services.assembly_create(
        actor=clerk, entity=coop, kind="ordinary", title="General assembly 2027",
        starts_at=now + timedelta(days=20), record_date=timezone.localdate(),
        vote_opens_at=now + timedelta(days=1), vote_closes_at=now + timedelta(days=21),
    )  # fmt: skip

    staff = signed_in(browser, live_server, clerk).new_page()
    staff.goto(live_server.url + f"/governance/staff/{assembly.public_id}/")
    staff.locator("#id_election-title").fill("Board of directors")
    staff.get_by_label("Seats for A — users of the services").fill("1")
    staff.get_by_role("button", name="Add the election").click()
    expect(staff.get_by_text("The election is on the agenda.")).to_be_visible()
    staff.get_by_role("button", name="Convene").click()
    expect(staff.get_by_text("Convened: 6 voters")).to_be_visible()

    for member, statement in ((ada, "Twenty years of freelance work."), (bram, "Fair fees.")):
        page = signed_in(browser, live_server, member.user).new_page()
        page.goto(live_server.url + f"/governance/{assembly.public_id}/")
        page.get_by_label("Your statement").fill(statement)
        page.get_by_role("button", name="Stand", exact=True).click()
        expect(page.get_by_text("Your candidacy is received")).to_be_visible()
    page.screenshot(path=SHOTS / "election-candidate.png", full_page=True)

    # Cleo stands, thinks again and withdraws before the vote: she is off the ballot.
    page = signed_in(browser, live_server, cleo.user).new_page()
    page.goto(live_server.url + f"/governance/{assembly.public_id}/")
    page.get_by_label("Your statement").fill("Open books.")
    page.get_by_role("button", name="Stand", exact=True).click()
    page.get_by_role("button", name="Withdraw my candidacy").click()
    expect(page.get_by_text("Your candidacy is withdrawn.")).to_be_visible()
    assert Candidacy.objects.get(voter__member=cleo).status == Candidacy.Status.WITHDRAWN

    staff.reload()
    staff.screenshot(path=SHOTS / "election-staff-candidacies.png", full_page=True)
    for _ in range(2):
        staff.get_by_role("button", name="Confirm eligibility").first.click()
        expect(staff.get_by_text("The candidacy is decided")).to_be_visible()
    numbers = Candidacy.objects.exclude(status=Candidacy.Status.WITHDRAWN)
    assert sorted(numbers.values_list("number", flat=True)) == [1, 2]

    # A day passes: the online vote opens.
    Assembly.objects.filter(pk=assembly.pk).update(
        vote_opens_at=timezone.now() - timedelta(minutes=1)
    )
    for index, member in enumerate(voters):
        page = signed_in(browser, live_server, member.user).new_page()
        page.goto(live_server.url + f"/governance/{assembly.public_id}/")
        expect(page.get_by_text("Twenty years of freelance work.")).to_be_visible()
        expect(page.get_by_text(cleo.display_name)).to_have_count(0)
        form = page.locator("form.vote-form")
        form.get_by_label(f"1. {ada.display_name}").check()
        if index == 0:
            form.get_by_label(f"2. {bram.display_name}").check()
            page.screenshot(path=SHOTS / "election-ballot.png", full_page=True)
        form.get_by_role("button", name="Cast the vote").click()
        expect(page.get_by_text("Your receipt")).to_be_visible()
    assert Ballot.objects.count() == 3

    staff.reload()
    staff.get_by_role("button", name="Close the vote and publish the results").click()
    expect(staff.get_by_text("The vote is closed and the results are published.")).to_be_visible()
    row = staff.locator("tr", has_text=ada.display_name).filter(has_text="Elected")
    expect(row.first).to_be_visible()
    staff.screenshot(path=SHOTS / "election-results.png", full_page=True)
    minutes = staff.request.get(
        live_server.url + f"/governance/staff/{assembly.public_id}/minutes.pdf"
    )
    assert minutes.body().startswith(b"%PDF")
    (SHOTS / "election-minutes.pdf").write_bytes(minutes.body())
