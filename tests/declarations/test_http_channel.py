"""The web-service channel against a fake authority on loopback: accepted and refused answers,
a timeout and 5xx retried with the same idempotency key (filed once), an unreachable service that
leaves the declaration ready for a later attempt, the token from the settings (never the
database), and the whole path through a real Celery worker."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time

import pytest

from activities.models import EmploymentContract
from declarations import services
from declarations.channels import ChannelUnavailable
from declarations.models import ChannelSetting, Declaration

from .fake_authority import FakeAuthority
from .helpers import INSS, make_contract, worker_activity

S = Declaration.Status


@pytest.fixture
def fast_retries(settings):
    settings.SMARTCOOP_DECLARATION_CREDENTIALS = {"onss-test": "s3cret-token"}
    settings.SMARTCOOP_DECLARATION_BACKOFF_SECONDS = 0.05


def http_entity(activity, url: str, *, timeout="0.50", credentials="onss-test", attempts=4):
    ChannelSetting.objects.create(
        entity=activity.entity,
        channel="http",
        base_url=url,
        credentials_name=credentials,
        timeout_seconds=timeout,
        max_attempts=attempts,
    )


def the_in(contract) -> Declaration:
    return Declaration.objects.with_scopes_disabled().get(contract=contract, kind="dimona_in")


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_an_accepted_dimona_by_web_service_declares_the_contract(entity, fast_retries):
    with FakeAuthority(token="s3cret-token") as authority:
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        contract = make_contract(activity)
        declaration = the_in(contract)
        assert declaration.channel == "http" and declaration.content_type == "application/json"
        body = json.loads(declaration.payload)
        assert (
            body["worker"] == {"ssin": INSS} and body["dimonaIn"]["features"]["workerType"] == "OTH"
        )

        declaration = services.declaration_deliver(declaration_id=declaration.pk)
        assert declaration.status == S.ACCEPTED
        assert (
            declaration.authority_reference == "1001" and declaration.dimona_period_id == "1001000"
        )
        assert list(authority.filings) == [declaration.reference]
        assert authority.filings[declaration.reference]["body"] == body  # the payload as sent
        contract.refresh_from_db()
        assert contract.status == EmploymentContract.Status.DECLARED
    assert "s3cret-token" not in json.dumps(
        list(ChannelSetting.objects.with_scopes_disabled().values()), default=str
    )


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_a_timeout_is_retried_with_the_same_key_and_files_once(entity, fast_retries):
    with FakeAuthority(token="s3cret-token") as authority:
        authority.slow_posts, authority.delay = 1, 1.5  # filed, but answered after the timeout
        authority.fail_posts = 0
        activity = worker_activity(entity)
        http_entity(activity, authority.url, timeout="0.50")
        contract = make_contract(activity)
        declaration = services.declaration_deliver(declaration_id=the_in(contract).pk)
        assert authority.posts == 2  # the first timed out, the retry got the filing back
        assert len(authority.filings) == 1
        assert declaration.status == S.ACCEPTED and declaration.authority_reference == "1001"


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_server_errors_are_retried_with_backoff_and_file_once(entity, fast_retries):
    with FakeAuthority(token="s3cret-token") as authority:
        authority.fail_posts = 2
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        contract = make_contract(activity)
        started = time.monotonic()
        declaration = services.declaration_deliver(declaration_id=the_in(contract).pk)
        assert time.monotonic() - started >= 0.05 + 0.10  # backoff 0.05 s, then 0.10 s
        assert authority.posts == 3 and len(authority.filings) == 1
        assert declaration.status == S.ACCEPTED


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_an_unreachable_service_leaves_it_ready_and_a_later_attempt_files_once(
    entity, fast_retries
):
    with FakeAuthority(token="s3cret-token") as authority:
        activity = worker_activity(entity)
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            dead_url = f"http://127.0.0.1:{closed.getsockname()[1]}/REST/dimona/v2"
        http_entity(activity, dead_url, attempts=2)
        contract = make_contract(activity)
        with pytest.raises(ChannelUnavailable):
            services.declaration_deliver(declaration_id=the_in(contract).pk)
        declaration = the_in(contract)
        assert (
            declaration.status == S.READY and declaration.attempts == 1 and declaration.last_error
        )
        ChannelSetting.objects.with_scopes_disabled().filter(entity=activity.entity).update(
            base_url=authority.url
        )
        assert services.declaration_deliver(declaration_id=declaration.pk).status == S.ACCEPTED
        assert len(authority.filings) == 1


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_a_refusal_is_a_rejection_with_the_authoritys_codes(entity, fast_retries):
    with FakeAuthority(token="s3cret-token") as authority:
        authority.verdict = "B"
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        contract = make_contract(activity)
        declaration = services.declaration_deliver(declaration_id=the_in(contract).pk)
        assert declaration.status == S.REJECTED
        assert declaration.authority_codes == ["00024-007"]
        assert declaration.authority_message == "Het INSZ is onbekend"
        contract.refresh_from_db()
        assert contract.status == EmploymentContract.Status.VALIDATED

        authority.verdict = None  # the correction is not processed yet
        correction = services.declaration_correct(declaration=declaration, actor=None)
        correction = services.declaration_deliver(declaration_id=correction.pk)
        assert correction.status == S.SENT and len(authority.filings) == 2
        authority.verdict = "A"
        assert services.declaration_deliver(declaration_id=correction.pk).status == S.ACCEPTED


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_a_refusal_on_submission_and_a_wrong_token(entity, fast_retries, settings):
    with FakeAuthority(token="s3cret-token") as authority:
        authority.refuse_on_post = True
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        contract = make_contract(activity)
        declaration = services.declaration_deliver(declaration_id=the_in(contract).pk)
        assert declaration.status == S.REJECTED and declaration.authority_codes == ["00024-007"]

        authority.refuse_on_post = False
        settings.SMARTCOOP_DECLARATION_CREDENTIALS = {"onss-test": "wrong"}
        other = make_contract(activity, start=contract.start_date + dt.timedelta(days=5))
        refused = services.declaration_deliver(declaration_id=the_in(other).pk)
        assert refused.status == S.REJECTED and refused.authority_codes == ["HTTP 401"]
        assert authority.filings == {}


@pytest.mark.django_db(transaction=True)
@pytest.mark.entity_scope("entity")
def test_the_worker_sends_the_dimona_when_the_contract_is_validated(entity, celery_worker):
    with FakeAuthority() as authority:  # the worker has no test credentials: no token asked
        activity = worker_activity(entity)
        http_entity(activity, authority.url, credentials="", timeout="5")
        contract = make_contract(activity)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and the_in(contract).status != S.ACCEPTED:
            time.sleep(0.2)
        assert the_in(contract).status == S.ACCEPTED
        assert len(authority.filings) == 1
        contract.refresh_from_db()
        assert contract.status == EmploymentContract.Status.DECLARED


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_a_status_answer_that_does_not_parse_is_kept_and_shown_never_applied(
    entity, fast_retries, client
):
    from django.urls import reverse

    from declarations.models import AuthorityAnswer
    from smartcoop.core.models import AuditLogEntry
    from tests.factories import staff_user

    with FakeAuthority(token="s3cret-token") as authority:
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        contract = make_contract(activity)
        declaration = the_in(contract)
        garbled = [
            b"<html><body>Maintenance until 06:00</body></html>",  # not JSON
            b'{"declarationId": "1001", "result": "A"}',  # no declarationStatus
            b'{"declarationStatus": {"result": "A", "period": "1001000"}}',  # period not an object
        ]
        for body in garbled:
            authority.garbled_status = body
            declaration = services.declaration_deliver(declaration_id=declaration.pk)
            assert declaration.status == S.SENT  # never applied
            assert declaration.dimona_period_id == ""
            assert "could not be read" in declaration.last_error
        kept = list(AuthorityAnswer.objects.with_scopes_disabled().filter(entity=activity.entity))
        assert sorted(a.raw.encode() for a in kept) == sorted(garbled)
        assert all(not a.parsed and a.applied == 0 and a.error for a in kept)
        assert AuditLogEntry.objects.filter(action="declarations.answer.unreadable").count() == 3
        contract.refresh_from_db()
        assert contract.status == EmploymentContract.Status.VALIDATED

        client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
        page = client.get(reverse("declarations:detail", args=[declaration.public_id])).content
        assert b"could not be read" in page
        queue = client.get(reverse("declarations:queue")).content.decode()
        assert queue.count("unreadable, not applied") == 3

        authority.garbled_status = None  # the next check reads a real answer
        declaration = services.declaration_deliver(declaration_id=declaration.pk)
        assert declaration.status == S.ACCEPTED and declaration.dimona_period_id == "1001000"
        assert list(authority.filings) == [declaration.reference]  # filed once
