"""Declarations' tasks run in the scope of the entity they are sent for, like every task: given
the id of another entity's declaration or filing job they send nothing and build nothing."""

from __future__ import annotations

import pytest

from declarations import dmfa, services, tasks
from declarations.models import Declaration, FilingJob

from .fake_authority import FakeAuthority
from .helpers import make_contract, worker_activity
from .test_dmfa import next_month_start, paid
from .test_http_channel import fast_retries, http_entity, the_in  # noqa: F401 - fixture

S = Declaration.Status

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]


def test_a_declaration_of_another_entity_is_not_sent(entity, other_entity, fast_retries):  # noqa: F811
    with FakeAuthority(token="s3cret-token") as authority:
        activity = worker_activity(entity)
        http_entity(activity, authority.url)
        declaration = the_in(make_contract(activity))
        assert declaration.status == S.READY

        tasks.send_declaration(entity_id=other_entity.pk, declaration_id=declaration.pk)
        declaration.refresh_from_db()
        assert declaration.status == S.READY and declaration.attempts == 0
        assert authority.filings == {}

        # Sent for its own entity, it is filed.
        tasks.send_declaration(entity_id=entity.pk, declaration_id=declaration.pk)
        declaration.refresh_from_db()
        assert declaration.status == S.ACCEPTED and list(authority.filings) == [
            declaration.reference
        ]


def test_a_filing_job_of_another_entity_is_not_built(entity, other_entity):
    paid(worker_activity(entity), None, "employee", [2])  # a quarter with a payslip to declare
    quarter = dmfa.quarter_of(next_month_start())
    job = services.filing_start(entity=entity, kind="dmfa", period=quarter, actor=None)

    assert tasks.file_period(entity_id=other_entity.pk, job_id=job.pk) == "skipped"
    job.refresh_from_db()
    assert job.state == FilingJob.State.QUEUED and job.started_at is None
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dmfa").exists()

    assert tasks.file_period(entity_id=entity.pk, job_id=job.pk) == FilingJob.State.DONE
