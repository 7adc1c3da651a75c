"""Many validated contracts declared in one batch (`services.contracts_declarations_queue`): each
gets its schema-valid Dimona IN once, a batch costs the same queries whatever its size, and
running it again creates nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from activities.models import EmploymentContract
from declarations import builders, services
from declarations.models import Declaration
from smartcoop.core.models import AuditLogEntry

from .helpers import make_contract, worker_activity

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]
S = Declaration.Status


def validated_undeclared(activity, count: int, *, offset: int = 0) -> list[EmploymentContract]:
    """Contracts already validated but without any declaration yet (set-up: e.g. validated by
    a bulk import), one-day each on successive days."""
    first = dt.date.today() + dt.timedelta(days=10 + offset)
    contracts = [
        make_contract(activity, start=first + dt.timedelta(days=n), validate=False)
        for n in range(count)
    ]
    EmploymentContract.objects.with_scopes_disabled().filter(
        pk__in=[c.pk for c in contracts]
    ).update(status=EmploymentContract.Status.VALIDATED)
    return contracts


def test_a_batch_declares_each_contract_once_in_the_same_queries_whatever_its_size(entity):
    activity = worker_activity(entity)
    small, large = validated_undeclared(activity, 1), validated_undeclared(activity, 6, offset=5)

    with CaptureQueriesContext(connection) as one:
        services.contracts_declarations_queue(contracts=small, actor=None)
    with CaptureQueriesContext(connection) as six:
        created = services.contracts_declarations_queue(contracts=large, actor=None)
    assert len(six) == len(one) <= 8  # lock+read, declared ones, two INSERTs (+ savepoints)

    assert [d.contract_id for d in created] == [c.pk for c in large]
    assert {d.status for d in created} == {S.READY}
    for declaration, contract in zip(created, large, strict=True):
        root = etree.fromstring(declaration.payload.encode())
        assert builders.schema_errors(declaration.payload.encode()) == []
        assert root.findtext("Form/DimonaIn/StartingDate") == contract.start_date.isoformat()
        assert root.findtext("Form/Reference/ReferenceNbr") == declaration.reference
    assert AuditLogEntry.objects.filter(
        target_id__in=[str(d.public_id) for d in created],
        action__in=("declarations.declaration.queued", "declarations.declaration.ready"),
    ).count() == 2 * len(created)

    # Running it again, or validating one of them again, creates nothing new.
    assert services.contracts_declarations_queue(contracts=small + large, actor=None) == []
    assert services.contract_declarations_queue(contract=large[0], actor=None) == []
    assert (
        Declaration.objects.with_scopes_disabled().filter(contract__in=small + large).count() == 7
    )

    batch, count = services.outbox_batch(entity=entity, actor=None)
    assert count == 7 and builders.schema_errors(batch) == []


def test_a_batch_builds_what_it_can_and_leaves_the_rest_in_draft(entity):
    complete = worker_activity(entity)
    missing = worker_activity(entity, national_number="")
    declared_by_hand = validated_undeclared(complete, 1)[0]
    EmploymentContract.objects.with_scopes_disabled().filter(pk=declared_by_hand.pk).update(
        status=EmploymentContract.Status.DECLARED
    )
    today = dt.date.today()
    quarter_end_month = ((today.month - 1) // 3) * 3 + 3
    next_quarter = dt.date(today.year + (quarter_end_month == 12), quarter_end_month % 12 + 1, 1)
    student = make_contract(
        complete, start=next_quarter - dt.timedelta(days=2), days=4, kind="student", validate=False
    )
    EmploymentContract.objects.with_scopes_disabled().filter(pk=student.pk).update(
        status=EmploymentContract.Status.VALIDATED
    )
    no_number = validated_undeclared(missing, 1, offset=40)[0]

    created = services.contracts_declarations_queue(
        contracts=[declared_by_hand, student, no_number], actor=None
    )

    by_contract: dict[int, list[Declaration]] = {}
    for declaration in created:
        by_contract.setdefault(declaration.contract_id, []).append(declaration)
    assert declared_by_hand.pk not in by_contract  # declared outside: nothing of ours
    assert [d.status for d in by_contract[student.pk]] == [S.READY, S.READY]  # two quarters
    assert [
        etree.fromstring(d.payload.encode()).findtext("Form/DimonaIn/PlannedHoursNbr")
        for d in by_contract[student.pk]
    ] == ["4", "4"]
    (draft,) = by_contract[no_number.pk]
    assert draft.status == S.DRAFT and draft.payload == ""
    assert [p["field"] for p in draft.problems] == ["member.national_number"]
    batch, count = services.outbox_batch(entity=entity, actor=None)
    assert count == 2 and builders.schema_errors(batch) == []
