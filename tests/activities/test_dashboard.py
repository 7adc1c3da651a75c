import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.activities.factories import ActivityFactory, credit, make_member, salary_contract
from tests.factories import OfficeFactory, staff_user

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]


def widgets(client, url_name):
    return {w["key"]: w["figure"] for w in client.get(reverse(url_name)).context["widgets"]}


def test_the_member_overview_shows_what_they_can_pay_themselves_now(client):
    member = make_member()
    activity = ActivityFactory(coordinator=member)
    credit(activity, "1000.00")  # 1,000 in, 6.5 % fee: 935.00 available
    client.force_login(member.user)
    figure = widgets(client, "core:member_home")["available"]
    assert figure.money and figure.value == Decimal("935.00")
    salary_contract(activity, gross="100.00")  # planned: 155.00 of employer cost
    assert widgets(client, "core:member_home")["available"].value == Decimal("780.00")


def test_advisers_see_the_contracts_of_their_office_waiting_for_validation(client):
    office = OfficeFactory()
    member = make_member(office=office)
    activity = ActivityFactory(coordinator=member)
    credit(activity, "1000.00")
    salary_contract(activity, gross="100.00")
    adviser = staff_user("adviser", office=office, entities=[activity.entity])
    client.force_login(adviser)
    figure = widgets(client, "core:backoffice_home")["contracts_to_validate"]
    assert figure.value == 1 and figure.tone == "warn"
    elsewhere = staff_user("adviser", entities=[activity.entity])  # another office
    client.force_login(elsewhere)
    assert widgets(client, "core:backoffice_home")["contracts_to_validate"].value == 0


def _links_in_main(response) -> list[str]:
    main = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return [href for href in re.findall(r'<a [^>]*href="(/[^"]*)"', main)]


@pytest.mark.parametrize("role", ["payroll_officer", "accountant", "adviser"])
def test_the_back_office_links_only_to_pages_the_staff_member_may_open(client, role):
    """A payroll officer's 'Contracts to validate' figure led to the Activities queue (404 for
    them); an accountant's Activity page linked each contract and claim to pages that 404."""
    office = OfficeFactory()
    member = make_member(office=office)
    activity = ActivityFactory(coordinator=member)
    credit(activity, "1000.00")
    salary_contract(activity, gross="100.00")
    client.force_login(staff_user(role, office=office, entities=[activity.entity]))
    pages = [reverse("core:backoffice_home")]
    staff_activity = reverse("activities:staff_activity", args=[activity.public_id])
    if client.get(staff_activity).status_code == 200:
        pages.append(staff_activity)
    opened = 0
    for page in pages:
        for href in _links_in_main(client.get(page)):
            assert client.get(href).status_code == 200, f"{role}: {page} links to {href}"
            opened += 1
    assert opened  # the pages do link somewhere


def test_the_member_overview_reads_the_member_and_their_activities_once(client):
    """Its figures, next steps and charts each need the member and their Activities: they are
    read once per page (the overview made six queries for the member and three for the
    Activities)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = make_member()
    for _ in range(3):
        credit(ActivityFactory(coordinator=member), "1000.00")
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:member_home"))
    assert response.context["widgets"]
    sqls = [q["sql"] for q in queries.captured_queries]
    member_reads = [s for s in sqls if s.startswith('SELECT "members_member"."id"')]
    activity_reads = [s for s in sqls if s.startswith('SELECT "activities_activity"."id"')]
    assert len(member_reads) == 1
    assert len(activity_reads) == 1
