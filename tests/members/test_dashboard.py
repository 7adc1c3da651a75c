import pytest
from django.urls import reverse

from members import services

pytestmark = pytest.mark.django_db


def widgets(client, url_name):
    return {w["key"]: w["figure"] for w in client.get(reverse(url_name)).context["widgets"]}


def test_the_back_office_dashboard_counts_share_payments_to_confirm(
    client, coop, applicant, accountant
):
    client.force_login(accountant)
    assert widgets(client, "core:backoffice_home")["share_payments"].value == 0
    services.share_subscribe(member=applicant, actor=applicant.user, shares=2)
    figure = widgets(client, "core:backoffice_home")["share_payments"]
    assert figure.value == 1 and figure.tone == "warn"
    assert figure.url == reverse("members:staff_payments")


def test_an_adviser_sees_their_members_who_need_attention(
    client, coop, applicant, adviser_a, adviser_b
):
    services.share_subscribe(member=applicant, actor=applicant.user, shares=1)
    client.force_login(adviser_a)
    assert widgets(client, "core:backoffice_home")["members_attention"].value == 1
    client.force_login(adviser_b)  # another office: not theirs
    assert widgets(client, "core:backoffice_home")["members_attention"].value == 0


def test_a_newcomer_sees_they_are_still_an_applicant(client, member_user):
    client.force_login(member_user)
    figure = widgets(client, "core:member_home")["membership"]
    assert figure.tone == "warn" and figure.url == reverse("members:member_index")
