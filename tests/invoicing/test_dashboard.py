import pytest
from django.urls import reverse

pytestmark = [pytest.mark.entity_scope("be_entity"), pytest.mark.django_db]


def widgets(client, url_name):
    return {w["key"]: w["figure"] for w in client.get(reverse(url_name)).context["widgets"]}


def test_the_member_sees_what_their_clients_still_owe(client, issued, member):
    client.force_login(member.user)
    figure = widgets(client, "core:member_home")["owed"]
    assert figure.money and figure.value == issued.amount_due > 0


def test_staff_see_overdue_invoices_of_their_entity(client, issued, accountant):
    # Issued on 2 March 2026 with a 30-day term: overdue today.
    client.force_login(accountant)
    figure = widgets(client, "core:backoffice_home")["overdue"]
    assert figure.value == 1 and figure.tone == "warn"
