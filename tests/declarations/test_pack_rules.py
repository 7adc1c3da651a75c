"""The pack's dated rules drive the hiring declarations (issue 12 follow-up): whether a Dimona or
DPAE not accepted by the start blocks the contract (`be.dimona_blocks_start`,
`fr.dpae_blocks_start`), and how early a DPAE may be sent (`fr.dpae_earliest_days_before`). Each
test runs with the pack as it is and with a copy of the pack whose parameter differs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.contract_events import contract_statuses
from activities.models import EmploymentContract
from activities.services import contract_mark_performed
from declarations import services
from declarations.models import Declaration
from smartcoop.core.errors import Conflict
from smartcoop.countries.params import parameter_tables
from smartcoop.countries.registry import load_pack
from tests.factories import staff_user

from .fake_authority import FakeAuthority
from .helpers import make_contract, worker_activity
from .test_http_channel import http_entity

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]
NIR = "185077505612345"
S = Declaration.Status


def pack_copy(monkeypatch, key: str, *dated: tuple[dt.date, object]) -> None:
    """The pack as a new deployment would state it: the parameter `key` with other dated
    values (from, value), its source kept."""
    table = parameter_tables()[key]
    first = table.values[0]
    monkeypatch.setitem(
        parameter_tables(),
        key,
        replace(
            table,
            values=tuple(replace(first, valid_from=day, value=value) for day, value in dated),
        ),
    )


def started_unaccepted(contract, *, days_ago: int = 1) -> EmploymentContract:
    """The contract's start has passed and its hiring declaration is still not accepted."""
    day = dt.date.today() - dt.timedelta(days=days_ago)
    EmploymentContract.objects.with_scopes_disabled().filter(pk=contract.pk).update(
        start_date=day, end_date=day
    )
    contract.refresh_from_db()
    return contract


def test_a_dimona_not_accepted_by_the_start_blocks_or_only_flags_as_the_pack_says(
    entity, monkeypatch
):
    activity = worker_activity(entity)
    blocked = started_unaccepted(make_contract(activity))
    services.outbox_batch(entity=entity, actor=None)  # sent, no answer yet
    # The Belgian pack as it is: the contract says work may not start and cannot go on.
    status = contract_statuses(blocked)[0]
    assert (status.label, status.tone) == ("Not declared yet", "bad")
    assert "Work may not start before the declaration is accepted." in status.detail
    assert not blocked.can("mark_performed")
    with pytest.raises(Conflict):
        contract_mark_performed(contract=blocked, actor=None)

    # A pack whose rule lets work go on from the day before this contract's start: still
    # flagged, and it may be marked performed (then paid) before the acceptance.
    start = blocked.start_date
    pack_copy(monkeypatch, "be.dimona_blocks_start", (dt.date(2016, 1, 1), True), (start, False))
    status = contract_statuses(blocked)[0]
    assert (status.label, status.tone) == ("Not declared yet", "bad")
    assert "may not start" not in status.detail
    assert "file it now. The rules of this country let work go on meanwhile." in status.detail
    assert blocked.can("mark_performed")
    assert contract_mark_performed(contract=blocked, actor=None).status == "performed"

    # The rule is dated: from the day after the start only, this contract is still blocked.
    other = started_unaccepted(
        make_contract(activity, start=dt.date.today() + dt.timedelta(3)), days_ago=2
    )
    pack_copy(
        monkeypatch,
        "be.dimona_blocks_start",
        (dt.date(2016, 1, 1), True),
        (other.start_date + dt.timedelta(days=1), False),
    )
    assert "Work may not start" in contract_statuses(other)[0].detail
    with pytest.raises(Conflict):
        contract_mark_performed(contract=other, actor=None)


@pytest.fixture
def france(settings):
    settings.COUNTRY_PACK = load_pack("FR")


def french_worker(entity):
    activity = worker_activity(entity, national_number=NIR)
    member = activity.coordinator
    member.birth_date = dt.date(1985, 7, 30)
    member.save()
    return activity


def test_a_dpae_not_acknowledged_by_the_start_blocks_unless_the_pack_says_otherwise(
    entity, france, monkeypatch
):
    activity = french_worker(entity)
    contract = started_unaccepted(make_contract(activity, kind="cddu", start=dt.date.today()))
    with pytest.raises(Conflict):
        contract_mark_performed(contract=contract, actor=None)
    pack_copy(monkeypatch, "fr.dpae_blocks_start", (dt.date(2011, 1, 1), False))
    assert "let work go on meanwhile" in contract_statuses(contract)[0].detail
    assert contract_mark_performed(contract=contract, actor=None).status == "performed"


def test_a_dpae_is_held_until_eight_days_before_the_hiring(entity, france, client, monkeypatch):
    """Ten days before the hiring the DPAE is ready but held: the queue and its page show the
    date it may be filed from (midnight, eight days before the hiring), and its
    acknowledgement can be neither offered nor recorded before then. A pack that allows 30
    days does not hold it."""
    activity = french_worker(entity)
    start = dt.date.today() + dt.timedelta(days=10)
    contract = make_contract(activity, kind="cddu", start=start)
    dpae = Declaration.objects.with_scopes_disabled().get(contract=contract)
    assert dpae.status == S.READY
    held = timezone.localtime(dpae.held_until)
    assert (held.date(), held.time()) == (start - dt.timedelta(days=8), dt.time(0, 0))

    client.force_login(staff_user("payroll_officer", entities=[entity]))
    queue = client.get(reverse("declarations:queue")).content.decode()
    assert "data-held-until" in queue and "to be sent from" in queue
    assert "Hold it: file it from" in queue
    url = reverse("declarations:detail", args=[dpae.public_id])
    page = client.get(url).content.decode()
    assert "To be sent from" in page and 'value="acknowledged"' not in page
    refused = client.post(
        url, {"action": "acknowledged", "reference": "DPAE-1"}, follow=True
    ).content.decode()
    assert "may not be filed before" in refused
    dpae.refresh_from_db()
    assert dpae.status == S.READY and dpae.sent_at is None

    pack_copy(monkeypatch, "fr.dpae_earliest_days_before", (dt.date(2011, 1, 1), 30))
    page = client.get(url).content.decode()
    assert "To be sent from" not in page and 'value="acknowledged"' in page
    client.post(url, {"action": "acknowledged", "reference": "DPAE-1"})
    dpae.refresh_from_db()
    assert dpae.status == S.ACCEPTED


def test_a_held_dpae_goes_out_by_the_web_service_when_its_date_comes(entity, france, settings):
    """By the web service: the task that sends a ready declaration leaves a held DPAE alone;
    the poll beat's release sends it once its date has come, once."""
    settings.SMARTCOOP_DECLARATION_CREDENTIALS = {"onss-test": "s3cret-token"}
    settings.SMARTCOOP_DECLARATION_BACKOFF_SECONDS = 0.05
    with FakeAuthority(token="s3cret-token") as authority:
        activity = french_worker(entity)
        http_entity(activity, authority.url)
        start = dt.date.today() + dt.timedelta(days=10)
        contract = make_contract(activity, kind="cddu", start=start)
        dpae = Declaration.objects.with_scopes_disabled().get(contract=contract)
        assert dpae.status == S.READY and dpae.channel == "http"
        assert services.declaration_deliver(declaration_id=dpae.pk).status == S.READY
        assert authority.posts == 0

        when = dpae.held_until
        assert (
            services.held_declarations_release(entity=entity, now=when - dt.timedelta(minutes=1))
            == 0
        )
        assert authority.posts == 0
        assert services.held_declarations_release(entity=entity, now=when) == 1
        assert authority.posts == 1
        dpae.refresh_from_db()
        assert dpae.status in (S.SENT, S.ACCEPTED) and dpae.sent_at is not None
        assert services.held_declarations_release(entity=entity, now=when) == 0
        assert authority.posts == 1
