"""Pages: a member's assembly (line, proxy, vote for self and proxy with receipt), staff (plan,
convene, voters' list, attendance, close, minutes) and the public ballot check."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Assembly, Ballot, VoteRecord
from tests.governance.conftest import holder, open_assembly

pytestmark = pytest.mark.django_db


def _open_now(assembly):
    Assembly.objects.filter(pk=assembly.pk).update(
        vote_opens_at=timezone.now() - timedelta(hours=1)
    )


def test_a_member_gives_a_proxy_and_the_holder_votes_for_both(client, coop, statutes, clerk):
    grantor, proxy_holder = holder(coop), holder(coop)
    assembly = open_assembly(coop, clerk=clerk, resolutions=("Approve the accounts", "Discharge"))
    client.force_login(grantor.user)
    page = client.get(reverse("governance:member_index")).content.decode()
    assert "Ordinary general assembly 2027" in page
    page = client.get(reverse("governance:assembly", args=[assembly.public_id])).content.decode()
    assert "Your line on the voters" in page and "Sign the proxy" in page
    refused = client.post(
        reverse("governance:proxy_sign", args=[assembly.public_id]),
        {"holder": grantor.member_number},
        follow=True,
    )
    assert "You cannot give a proxy to yourself." in refused.content.decode()
    client.post(
        reverse("governance:proxy_sign", args=[assembly.public_id]),
        {"holder": proxy_holder.member_number},
    )
    page = client.get(reverse("governance:assembly", args=[assembly.public_id])).content.decode()
    assert "You gave your proxy to" in page

    _open_now(assembly)
    client.force_login(proxy_holder.user)
    page = client.get(reverse("governance:assembly", args=[assembly.public_id])).content.decode()
    assert page.count('class="vote-form"') == 4  # two resolutions, for self and for the grantor
    grantor_line = assembly.voters.get(member=grantor)
    resolution = assembly.resolutions.get(position=1)
    response = client.post(
        reverse(
            "governance:vote",
            args=[assembly.public_id, resolution.public_id, grantor_line.public_id],
        ),
        {"choice": "against"},
    )
    body = response.content.decode()
    assert "Your receipt" in body
    receipt = Ballot.objects.get().receipt
    assert receipt in body
    assert VoteRecord.objects.get().voter == grantor_line
    # The grantor cannot vote themselves any more: their page offers no vote.
    client.force_login(grantor.user)
    page = client.get(reverse("governance:assembly", args=[assembly.public_id])).content.decode()
    assert 'class="vote-form"' not in page
    # Someone who is not on the list does not see the assembly.
    outsider = holder(coop, on=timezone.localdate())
    client.force_login(outsider.user)
    assert client.get(reverse("governance:assembly", args=[assembly.public_id])).status_code == 404


def test_staff_plan_convene_take_attendance_close_and_publish(client, coop, statutes, clerk):
    members = [holder(coop) for _ in range(3)]
    client.force_login(clerk)
    starts = timezone.localtime() + timedelta(days=3)
    response = client.post(
        reverse("governance:staff_index"),
        {
            "kind": "ordinary",
            "title": "AG 2027",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "record_date": timezone.localdate().isoformat(),
            "vote_opens_at": (starts - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "vote_closes_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assembly = Assembly.objects.get(title="AG 2027")
    client.post(
        reverse("governance:staff_assembly", args=[assembly.public_id]),
        {"title": "Change the statutes", "majority": "three_quarters"},
    )
    refused = client.post(
        reverse("governance:staff_convene", args=[assembly.public_id]), follow=True
    ).content.decode()
    assert "Too late to convene" in refused and "15 days" in refused
    # Move the assembly out far enough, then convene.
    Assembly.objects.filter(pk=assembly.pk).update(
        starts_at=starts + timedelta(days=30), vote_closes_at=starts + timedelta(days=31)
    )
    client.post(reverse("governance:staff_convene", args=[assembly.public_id]))
    csv = client.get(reverse("governance:staff_voters", args=[assembly.public_id, "csv"]))
    assert csv.content.decode().count("\n") == 4
    pdf = client.get(reverse("governance:staff_voters", args=[assembly.public_id, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    _open_now(assembly)
    line = assembly.voters.get(member=members[0])
    client.post(
        reverse("governance:staff_attendance", args=[assembly.public_id, line.public_id]),
        {"present": "1"},
    )
    resolution = assembly.resolutions.get()
    client.post(
        reverse("governance:staff_room_vote", args=[assembly.public_id, line.public_id]),
        {"resolution": str(resolution.public_id), "choice": "for"},
    )
    assert VoteRecord.objects.get().channel == "room"
    page = client.post(
        reverse("governance:staff_close", args=[assembly.public_id]), follow=True
    ).content.decode()
    assert "The vote is closed and the results are published." in page and "Adopted" in page
    minutes = client.get(reverse("governance:staff_minutes", args=[assembly.public_id]))
    assert minutes.content.startswith(b"%PDF")
    # Anyone checks a receipt on the public page.
    client.logout()
    receipt = Ballot.objects.get().receipt
    page = client.get(
        reverse("governance:ballots", args=[assembly.public_id]), {"receipt": receipt}
    ).content.decode()
    assert "Counted: resolution 1, For." in page
    assert page.count('<td class="num">1</td>') >= 2  # one member voted, one ballot in the box
    assert (
        client.get(reverse("governance:ballots_csv", args=[assembly.public_id])).status_code == 200
    )
