"""Declarations sent by the web service and not answered yet are asked again by the beat sweep
(`declarations.tasks.poll_sent_declarations`) against the fake authority on loopback: an answer
that comes later is applied without anyone pressing anything (also through the real Celery
worker), a refusal lands with its codes, a service that keeps saying "not processed yet" is
asked on a growing wait and then flagged "no answer" on the staff pages (its payroll officers told), and two sweeps at once
ask and apply once. Also: the deadline alerts in a pack that files no declarations."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from activities.models import EmploymentContract
from declarations import services, tasks
from declarations.models import Declaration
from declarations.services_poll import sent_declarations_poll
from smartcoop.core.models import AuditLogEntry, Notification
from smartcoop.core.notifications import render_text
from smartcoop.countries.registry import load_pack
from tests.factories import staff_user

from .fake_authority import FakeAuthority
from .helpers import make_contract, worker_activity
from .test_http_channel import http_entity, the_in

S = Declaration.Status


@pytest.fixture
def poll_settings(settings):
    settings.SMARTCOOP_DECLARATION_CREDENTIALS = {"onss-test": "s3cret-token"}
    settings.SMARTCOOP_DECLARATION_BACKOFF_SECONDS = 0.05
    settings.SMARTCOOP_DECLARATION_POLL_FIRST_SECONDS = 60
    settings.SMARTCOOP_DECLARATION_POLL_FACTOR = 2
    settings.SMARTCOOP_DECLARATION_POLL_MAX_SECONDS = 600
    settings.SMARTCOOP_DECLARATION_POLL_GIVE_UP_HOURS = 1
    settings.SMARTCOOP_DECLARATION_POLL_BATCH = 500
    return settings


def sent_pending(activity, authority, **contract) -> tuple[EmploymentContract, Declaration]:
    """A contract whose Dimona IN went out by the web service and is not processed yet."""
    authority.verdict = None
    contract_ = make_contract(activity, **contract)
    declaration = services.declaration_deliver(declaration_id=the_in(contract_).pk)
    assert declaration.status == S.SENT and declaration.sent_at is not None
    return contract_, declaration


def audited(declaration: Declaration, action: str) -> int:
    return AuditLogEntry.objects.filter(action=action, target_id=str(declaration.public_id)).count()


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_an_answer_that_comes_later_is_applied_by_the_sweep(entity, poll_settings):
    with FakeAuthority(token="s3cret-token") as authority:
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        contract, declaration = sent_pending(activity, authority)
        assert authority.gets == 1  # asked once right after sending: not processed yet
        assert declaration.next_poll_at == declaration.sent_at + dt.timedelta(seconds=60)
        sent = declaration.sent_at

        authority.verdict = "A"
        assert sent_declarations_poll(entity=entity, now=sent + dt.timedelta(seconds=30)) == {}
        assert authority.gets == 1  # not due yet: not asked
        counts = sent_declarations_poll(entity=entity, now=sent + dt.timedelta(seconds=61))
        assert counts == {"applied": 1} and authority.gets == 2
        declaration.refresh_from_db()
        assert declaration.status == S.ACCEPTED and declaration.dimona_period_id == "1001000"
        contract.refresh_from_db()
        assert contract.status == EmploymentContract.Status.DECLARED
        # Answered: never asked again.
        assert sent_declarations_poll(entity=entity, now=sent + dt.timedelta(hours=3)) == {}
        assert authority.gets == 2 and list(authority.filings) == [declaration.reference]


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_a_refusal_found_by_the_sweep_lands_with_its_codes(entity, poll_settings, client):
    with FakeAuthority(token="s3cret-token") as authority:
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        contract, declaration = sent_pending(activity, authority)
        authority.verdict = "B"
        counts = sent_declarations_poll(
            entity=entity, now=declaration.sent_at + dt.timedelta(minutes=2)
        )
        assert counts == {"applied": 1}
        declaration.refresh_from_db()
        assert declaration.status == S.REJECTED
        assert declaration.authority_codes == ["00024-007"]
        assert declaration.authority_message == "Het INSZ is onbekend"
        contract.refresh_from_db()
        assert contract.status == EmploymentContract.Status.VALIDATED

    client.force_login(staff_user("payroll_officer", entities=[entity]))
    queue = client.get(reverse("declarations:queue")).content.decode()
    assert "00024-007" in queue and "Het INSZ is onbekend" in queue


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_not_processed_yet_is_asked_on_a_growing_wait_then_flagged_no_answer(
    entity, poll_settings, client
):
    with FakeAuthority(token="s3cret-token") as authority:
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        contract, declaration = sent_pending(activity, authority)
        officer = staff_user("payroll_officer", entities=[entity])
        sent = declaration.sent_at
        asked_at = []
        # Beat every 30 seconds for 70 minutes.
        for step in range(0, 70 * 2 + 1):
            gets = authority.gets
            counts = sent_declarations_poll(
                entity=entity, now=sent + dt.timedelta(seconds=30 * step)
            )
            if authority.gets > gets:
                assert counts == {"pending": 1}
                asked_at.append(30 * step)
            if counts.get("unanswered"):
                flagged_at = 30 * step
        # 1 min after sending, then waits of 2, 4, 8 minutes, then at most 10 (the cap) ...
        assert asked_at == [60, 180, 420, 900, 1500, 2100, 2700, 3300]
        # ... and at the age limit (1 hour) it is flagged, not asked again.
        assert flagged_at == 3600
        declaration.refresh_from_db()
        assert declaration.status == S.SENT and declaration.polls == 8
        assert declaration.unanswered_at == sent + dt.timedelta(hours=1)
        assert audited(declaration, "declarations.declaration.unanswered") == 1
        told = Notification.objects.get(kind="declarations.no_answer")
        assert told.user == officer
        assert told.url == reverse("declarations:detail", args=[declaration.public_id])
        text = render_text(told)
        assert "Dimona IN" in text and contract.member.display_name in text
        assert "got no answer" in text
        assert sent_declarations_poll(entity=entity, now=sent + dt.timedelta(hours=5)) == {}
        assert authority.gets == 1 + 8

    client.force_login(officer)
    queue = client.get(reverse("declarations:queue"))
    assert queue.context["unanswered"] == 1
    html = queue.content.decode()
    assert "no answer" in html and "look the declaration up on the authority" in html
    page = client.get(reverse("declarations:detail", args=[declaration.public_id])).content
    assert b"asked 8 times, no longer asked since" in page
    widgets = {
        w["key"]: w["figure"]
        for w in client.get(reverse("core:backoffice_home")).context["widgets"]
    }
    assert widgets["declarations_unanswered"].value == 1
    assert widgets["declarations_unanswered"].tone == "bad"
    # An answer uploaded by staff still applies to it (it is still sent).
    contract.refresh_from_db()
    assert contract.status == EmploymentContract.Status.VALIDATED


def _in_thread(work, entity_id: int, results: list, barrier: threading.Barrier) -> threading.Thread:
    def run():
        try:
            with scope(entity=entity_id):
                barrier.wait(timeout=10)
                results.append(work())
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
@pytest.mark.entity_scope("entity")
def test_two_sweeps_at_once_ask_and_apply_each_answer_once(entity, poll_settings):
    with FakeAuthority(token="s3cret-token") as authority:
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        today = dt.date.today()
        pending = [
            sent_pending(activity, authority, start=today + dt.timedelta(days=10 + 5 * i))[1]
            for i in range(3)
        ]
        authority.verdict, authority.status_delay = "A", 0.3  # each answer takes a while
        gets = authority.gets
        now = max(d.sent_at for d in pending) + dt.timedelta(minutes=2)
        results: list = []
        barrier = threading.Barrier(2)
        threads = [
            _in_thread(
                lambda: sent_declarations_poll(entity=entity, now=now), entity.pk, results, barrier
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sum(r.get("applied", 0) for r in results) == 3
        assert authority.gets - gets == 3  # each asked by one sweep only
        for declaration in pending:
            declaration.refresh_from_db()
            assert declaration.status == S.ACCEPTED
            assert audited(declaration, "declarations.declaration.accepted") == 1

        # Even when both ask at the very same time, the answer is applied once.
        _, declaration = sent_pending(activity, authority, start=today + dt.timedelta(days=40))
        authority.verdict = "A"
        results = []
        threads = [
            _in_thread(
                lambda: services.status_check(
                    declaration, services.http_channel(services.channel_setting(entity))
                ),
                entity.pk,
                results,
                barrier,
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(results) == ["answered", "applied"]
        assert audited(declaration, "declarations.declaration.accepted") == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.entity_scope("entity")
def test_the_worker_applies_a_later_answer_by_the_beat_sweep(entity, celery_worker):
    with FakeAuthority() as authority:  # the worker has no test credentials: no token asked
        authority.verdict = None
        activity = worker_activity(entity)
        http_entity(activity, authority.url, credentials="", timeout="5")
        contract = make_contract(activity)  # the worker sends it: not processed yet
        deadline = time.monotonic() + 30
        # The worker commits "sent", then asks for the answer at once (outside the transaction).
        while time.monotonic() < deadline and (
            the_in(contract).status != S.SENT or authority.gets < 1
        ):
            time.sleep(0.2)
        declaration = the_in(contract)
        assert declaration.status == S.SENT and authority.gets == 1
        assert declaration.next_poll_at == declaration.sent_at + dt.timedelta(seconds=60)

        authority.verdict = "A"
        # Two minutes pass; beat sends the sweep (nobody presses anything).
        Declaration.objects.with_scopes_disabled().filter(pk=declaration.pk).update(
            sent_at=declaration.sent_at - dt.timedelta(minutes=2),
            next_poll_at=declaration.next_poll_at - dt.timedelta(minutes=2),
        )
        assert tasks.poll_sent_declarations.delay().get(timeout=30) == 1
        declaration.refresh_from_db()
        assert declaration.status == S.ACCEPTED and declaration.polls == 1
        assert len(authority.filings) == 1
        contract.refresh_from_db()
        assert contract.status == EmploymentContract.Status.DECLARED


@pytest.mark.django_db
def test_deadline_alerts_do_nothing_in_a_pack_that_files_no_declarations(entity, settings):
    settings.COUNTRY_PACK = load_pack("DE")
    # It used to fail every hour on the missing alert window (a failed task on the health page).
    assert tasks.deadline_alerts() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.entity_scope("entity")
def test_the_workers_sweep_and_another_at_once_apply_each_answer_once(entity, celery_worker):
    with FakeAuthority() as authority:
        authority.verdict = None
        activity = worker_activity(entity)
        http_entity(activity, authority.url, credentials="", timeout="5")
        today = dt.date.today()
        contracts = [
            make_contract(activity, start=today + dt.timedelta(days=10 + 5 * i)) for i in range(4)
        ]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(the_in(c).status != S.SENT for c in contracts):
            time.sleep(0.2)
        pending = [the_in(c) for c in contracts]
        assert all(d.status == S.SENT for d in pending) and authority.gets == 4
        authority.verdict, authority.status_delay = "A", 0.3
        Declaration.objects.with_scopes_disabled().filter(pk__in=[d.pk for d in pending]).update(
            next_poll_at=timezone.now() - dt.timedelta(seconds=1)
        )
        # Beat's sweep on the real worker, and another one here, at the same time.
        sent = tasks.poll_sent_declarations.delay()
        here = sent_declarations_poll(entity=entity)
        there = sent.get(timeout=30)
        assert here.get("applied", 0) + there == 4
        assert authority.gets == 4 + 4  # each asked once
        for declaration in pending:
            declaration.refresh_from_db()
            assert declaration.status == S.ACCEPTED and declaration.polls == 1
            assert audited(declaration, "declarations.declaration.accepted") == 1
