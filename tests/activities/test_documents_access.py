"""Uploaded receipts and posting documents are served only through views that check who asks."""

import pytest
from django.urls import reverse

from tests.activities.factories import ActivityFactory, credit, make_member
from tests.activities.test_expenses_loans_solidarity import PDF, claim_with_line
from tests.factories import OfficeFactory, staff_user

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]


@pytest.fixture
def line():
    office = OfficeFactory()
    activity = ActivityFactory(coordinator=make_member(office=office))
    credit(activity, "500.00")
    return claim_with_line(activity).lines.get()


def test_the_member_opens_their_receipt_in_a_sandbox(client, line):
    client.force_login(line.claim.activity.coordinator.user)
    response = client.get(reverse("activities:expense_receipt", args=[line.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Security-Policy"] == "sandbox"
    detail = client.get(reverse("activities:expense", args=[line.claim.public_id])).text
    assert reverse("activities:expense_receipt", args=[line.public_id]) in detail
    assert "/media/" not in detail


def test_another_member_or_another_office_gets_404(client, line):
    url = reverse("activities:expense_receipt", args=[line.public_id])
    client.force_login(make_member().user)
    assert client.get(url).status_code == 404
    client.force_login(staff_user("adviser", entities=[line.claim.activity.entity]))
    assert client.get(url).status_code == 404
    own = staff_user(
        "adviser",
        office=line.claim.activity.coordinator.office,
        entities=[line.claim.activity.entity],
    )
    client.force_login(own)
    assert client.get(url).status_code == 200


def test_media_files_are_not_published_at_a_url(client, line):
    assert client.get("/media/" + line.receipt.name).status_code == 404
