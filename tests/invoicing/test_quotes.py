from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing import selectors, services
from invoicing.models import Quote
from tests.invoicing.conftest import LINES, make_activity, make_member

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


def test_quote_sent_accepted_online_then_invoiced(client, member, activity, be_client, be_entity):

    quote = services.quote_create(
        actor=member.user, activity=activity, client=be_client, title="Festival sound", lines=LINES
    )
    assert quote.total_incl_vat == Decimal("1159.20")
    token = services.quote_link_token(quote=quote)
    assert client.get(reverse("invoicing:quote_public", args=[token])).status_code == 404  # draft
    client.force_login(member.user)
    client.post(reverse("invoicing:member_quote", args=[quote.public_id]), {"action": "send"})
    client.logout()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    page = client.get(reverse("invoicing:quote_public", args=[token]))
    assert page.status_code == 200 and "Festival sound" in page.content.decode()
    assert (
        client.get(reverse("invoicing:quote_public", args=[token[:-3] + "abc"])).status_code == 404
    )
    client.post(
        reverse("invoicing:quote_public", args=[token]), {"decision": "accept", "name": "A. Buyer"}
    )
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED and quote.decided_by_name == "A. Buyer"
    invoice = services.quote_to_invoice(quote=quote, actor=member.user)
    assert invoice.total_incl_vat == quote.total_incl_vat and invoice.number is None
    quote.refresh_from_db()
    assert quote.status == Quote.Status.INVOICED


def test_quote_pages_are_the_members_only(client, member, activity, be_client, be_entity):
    quote = services.quote_create(
        actor=member.user, activity=activity, client=be_client, title="T", lines=LINES
    )
    client.force_login(member.user)
    assert client.get(reverse("invoicing:member_quotes")).status_code == 200
    assert client.get(reverse("invoicing:member_quote_new")).status_code == 200
    assert client.get(reverse("invoicing:member_quote", args=[quote.public_id])).status_code == 200
    stranger = make_member()
    make_activity(entity=be_entity, member=stranger)
    client.force_login(stranger.user)
    assert client.get(reverse("invoicing:member_quote", args=[quote.public_id])).status_code == 404
    assert not selectors.quote_list(user=stranger.user).exists()
