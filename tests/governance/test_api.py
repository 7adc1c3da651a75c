"""The governance API: a member's assemblies, agenda and voting status, casting a vote (and
for a proxy) through the same service as the page, results once closed; 404 for assemblies a
member is not convened to. Parallel HTTP requests for the same voter and resolution: one
counts."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from governance import services
from governance.models import Assembly, Ballot, VoteRecord
from smartcoop.core.roles import Role
from tests.factories import staff_user
from tests.governance.conftest import holder, open_assembly


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def _open_now(assembly):
    Assembly.objects.filter(pk=assembly.pk).update(
        vote_opens_at=timezone.now() - timedelta(hours=1)
    )


@pytest.mark.django_db
def test_a_member_reads_votes_and_sees_results_through_the_api(coop, statutes, clerk):
    voter, grantor, outsider = holder(coop), holder(coop), holder(coop, on=timezone.localdate())
    assembly = open_assembly(coop, clerk=clerk, resolutions=("Accounts", "Discharge"))

    services.proxy_sign(
        actor=None,
        grantor=assembly.voters.get(member=grantor),
        holder_member_number=voter.member_number,
    )
    _open_now(assembly)
    me = api(voter.user)
    listed = me.get(reverse("api_governance_assemblies")).json()
    assert [a["id"] for a in listed["results"]] == [str(assembly.public_id)]
    url = reverse("api_governance_assembly", args=[assembly.public_id])
    detail = me.get(url).json()
    assert detail["my_line"]["votes"] == 1
    assert [r["title"] for r in detail["resolutions"]] == ["Accounts", "Discharge"]
    assert len(detail["ballots"]) == 4 and not any(b["voted"] for b in detail["ballots"])
    assert {b["proxy"] for b in detail["ballots"]} == {True, False}
    first = assembly.resolutions.get(position=1)
    vote_url = reverse("api_governance_vote", args=[assembly.public_id, first.public_id])
    refused = me.post(vote_url, {"choice": "maybe"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    cast = me.post(vote_url, {"choice": "for"}, content_type="application/json")
    assert cast.status_code == 201 and len(cast.json()["code"]) == 27
    grantor_line = assembly.voters.get(member=grantor)
    for_proxy = me.post(
        vote_url,
        {"choice": "against", "voter": str(grantor_line.public_id)},
        content_type="application/json",
    )
    assert for_proxy.status_code == 201
    again = me.post(vote_url, {"choice": "against"}, content_type="application/json")
    assert again.status_code == 409  # already voted; a secret vote changes only with its code
    statuses = me.get(url).json()["ballots"]
    assert sum(b["voted"] for b in statuses) == 2
    results = reverse("api_governance_results", args=[assembly.public_id])
    assert me.get(results).status_code == 409  # published when the vote closes
    # A member not on the list, or who votes for a line they hold no proxy of: nothing.
    other = api(outsider.user)
    assert other.get(url).status_code == 404
    assert (
        other.post(vote_url, {"choice": "for"}, content_type="application/json").status_code == 404
    )
    assert other.get(reverse("api_governance_assemblies")).json()["results"] == []
    services.assembly_close(actor=clerk, assembly=assembly)
    published = me.get(results).json()
    accounts = published["resolutions"][0]
    assert (accounts["overall"]["votes_for"], accounts["overall"]["against"]) == (1, 1)
    assert VoteRecord.objects.count() == 2
    # Staff with the governance permission read every assembly; other staff do not.
    assert api(clerk).get(url).status_code == 200
    accountant = staff_user(Role.ACCOUNTANT, entities=[coop])
    assert api(accountant).get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_parallel_http_requests_for_the_same_voter_and_resolution_count_once(
    live_server, coop, statutes, clerk
):
    member = holder(coop)
    assembly = open_assembly(coop, clerk=clerk)
    _open_now(assembly)
    resolution = assembly.resolutions.get()
    token = Token.objects.create(user=member.user).key
    url = live_server.url + reverse(
        "api_governance_vote", args=[assembly.public_id, resolution.public_id]
    )
    choices = ["for", "against", "abstain", "for", "against", "for", "abstain", "for"]

    def post(choice):
        return requests.post(
            url, json={"choice": choice}, headers={"Authorization": f"Token {token}"}, timeout=30
        ).status_code

    with ThreadPoolExecutor(len(choices)) as pool:
        statuses = list(pool.map(post, choices))
    connection.close()
    assert sorted(statuses) == [201] + [409] * (len(choices) - 1)
    assert VoteRecord.objects.count() == 1 and Ballot.objects.count() == 1
