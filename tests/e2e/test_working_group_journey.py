"""Browser journey of a working group: staff create it (a title is required, said at the field),
a member finds it in their account, joins and publishes a recommendation, staff invite a second
member by number and publish the board's answer, which the member reads on the
recommendation's page."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, expect

from governance import services
from governance.models import GroupMembership, Recommendation, WorkingGroup
from smartcoop.core.roles import Role
from tests.e2e.conftest import shot
from tests.e2e.test_assembly_journey import signed_in
from tests.factories import LegalEntityFactory, staff_user
from tests.governance.conftest import holder

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_create_a_group_a_member_joins_and_recommends_and_the_board_answers(
    live_server, browser: Browser
):
    base = live_server.url
    coop = LegalEntityFactory(is_cooperative=True, legal_form="SC", default_language="en")
    services.statutes_create(actor=None, entity=coop, valid_from=date(2020, 1, 1))
    ada = holder(coop, first_name="Ada", last_name="Lovelace")
    bram = holder(coop, first_name="Bram", last_name="Stoker")
    clerk = staff_user(Role.ADMINISTRATOR, entities=[coop])

    staff = signed_in(browser, live_server, clerk).new_page()
    staff.goto(f"{base}/governance/staff/")
    staff.get_by_role("link", name="Working groups").click()
    staff.get_by_label("Mandate").fill("Propose how the solidarity fund helps members in need.")
    staff.get_by_label("Who may join").select_option(WorkingGroup.Access.OPEN)
    staff.get_by_role("button", name="Create the group").click()
    expect(staff.locator(".field.has-error")).to_contain_text("required")
    shot(staff, "group-create-refused")
    assert not WorkingGroup.objects.exists()
    staff.get_by_label("Title").fill("Mutual help")
    staff.get_by_role("button", name="Create the group").click()
    expect(staff.get_by_text("The working group is created.")).to_be_visible()
    expect(staff.get_by_role("heading", name="Mutual help")).to_be_visible()

    member = signed_in(browser, live_server, ada.user).new_page()
    member.goto(f"{base}/app/")
    member.get_by_role("link", name="Working groups").first.click()
    member.get_by_role("link", name="Mutual help").click()
    member.get_by_role("button", name="Join this group").click()
    expect(member.get_by_text("You joined the group.")).to_be_visible()
    member.get_by_label("Title").fill("A loan without interest")
    member.get_by_label("Recommendation").fill("Lend up to 1,000 euros for six months.")
    member.get_by_role("button", name="Publish").click()
    expect(member.get_by_text("Your recommendation is published.")).to_be_visible()
    expect(member.get_by_role("heading", name="A loan without interest")).to_be_visible()
    shot(member, "group-recommendation")

    staff.get_by_label("Member number").fill(str(bram.member_number))
    staff.get_by_role("button", name="Invite").click()
    expect(staff.get_by_text("The member is invited and told.")).to_be_visible()
    expect(staff.get_by_text("Bram Stoker")).to_be_visible()
    staff.get_by_label("The board's answer").select_option(Recommendation.Status.ACCEPTED)
    staff.get_by_label("Explanation").fill("From the next financial year.")
    staff.get_by_role("button", name="Publish the answer").click()
    expect(staff.get_by_text("The answer is published")).to_be_visible()
    shot(staff, "group-staff")

    member.reload()
    answer = member.locator("section", has=member.get_by_role("heading", name="The board's answer"))
    expect(answer).to_contain_text("From the next financial year.")
    shot(member, "group-answered")
    recommendation = Recommendation.objects.get()
    assert recommendation.status == Recommendation.Status.ACCEPTED
    assert recommendation.author == ada
    joined = GroupMembership.objects.filter(group=recommendation.group)
    assert set(joined.values_list("member__first_name", flat=True)) == {"Ada", "Bram"}
