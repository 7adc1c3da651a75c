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
