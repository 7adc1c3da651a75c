"""The declaration's life through the file outbox: a validated contract queues its Dimona IN, the
batch file is schema-valid, the authority's answer accepts (the contract becomes declared, the
member sees it) or rejects (codes kept, corrected by a new declaration), an unreadable answer is
kept and never applied, cancelling a contract withdraws or cancels its Dimona, and bad data keeps
the declaration in draft naming the contract and the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from lxml import etree

from activities.contract_events import contract_statuses
from activities.models import EmploymentContract
from activities.services import contract_cancel
from declarations import builders, services
from declarations.models import AuthorityAnswer, Declaration
from smartcoop.core.errors import Conflict
from smartcoop.core.models import AuditLogEntry

from .helpers import INSS, make_contract, notification, worker_activity

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]
S = Declaration.Status


def the_in(contract) -> Declaration:
    return Declaration.objects.with_scopes_disabled().get(
        contract=contract, kind="dimona_in", corrected_by__isnull=True
    )


def test_validating_a_contract_queues_a_ready_dimona_in_due_at_its_start(entity):
    contract = make_contract(worker_activity(entity))
    declaration = the_in(contract)
    assert declaration.status == S.READY and declaration.channel == "file"
    assert timezone.localtime(declaration.due_at).date() == contract.start_date
    document = declaration.payload.encode()
    assert builders.schema_errors(document) == []
    root = etree.fromstring(document)
    assert root.findtext("Form/DimonaIn/NaturalPerson/INSS") == INSS
    assert (
        root.findtext("Form/DimonaIn/EmployerId/NOSSRegistrationNbr")
        == contract.entity.employer_number
    )
    assert root.findtext("Form/Reference/ReferenceNbr") == declaration.reference
    import hashlib

    assert declaration.payload_sha256 == hashlib.sha256(document).hexdigest()
    assert INSS not in str(declaration.inputs)  # the national number is only in the payload
    actions = set(
        AuditLogEntry.objects.filter(target_id=str(declaration.public_id)).values_list(
            "action", flat=True
        )
    )
    assert actions == {"declarations.declaration.queued", "declarations.declaration.ready"}
    status = contract_statuses(contract)[0]
    assert (status.label, status.tone) == ("Not declared yet", "warn")


def test_the_batch_is_schema_valid_and_an_acceptance_declares_the_contract(entity):
    activity = worker_activity(entity)
    first, second = (
        make_contract(activity),
        make_contract(activity, start=dt.date.today() + dt.timedelta(days=20)),
    )
    batch, count = services.outbox_batch(entity=activity.entity, actor=None)
    assert count == 2 and builders.schema_errors(batch) == []
    assert len(etree.fromstring(batch).findall("Form")) == 2
    assert services.outbox_batch(entity=activity.entity, actor=None) == (b"", 0)  # sent once
    assert the_in(first).status == S.SENT

    answer = services.answer_upload(
        entity=activity.entity,
        raw=notification((the_in(first).reference, "123456789012", []), ("unknown-ref", "1", [])),
        actor=None,
    )
    assert answer.parsed and answer.applied == 1 and answer.unmatched == ["unknown-ref"]
    accepted = the_in(first)
    assert accepted.status == S.ACCEPTED and accepted.dimona_period_id == "123456789012"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == EmploymentContract.Status.DECLARED
    assert second.status == EmploymentContract.Status.VALIDATED
    status = contract_statuses(first)[0]
    assert (
        status.label == "Declared"
        and status.tone == "ok"
        and "Dimona IN accepted on" in status.detail
    )


def test_a_rejection_keeps_the_authoritys_codes_and_a_correction_points_to_it(entity):
    activity = worker_activity(entity)
    contract = make_contract(activity)
    services.outbox_batch(entity=activity.entity, actor=None)
    rejected_ref = the_in(contract).reference
    services.answer_upload(
        entity=activity.entity,
        raw=notification(
            (rejected_ref, "", [("00910-003", "Startdatum ligt te ver in het verleden")])
        ),
        actor=None,
    )
    rejected = Declaration.objects.with_scopes_disabled().get(
        public_id__isnull=False, contract=contract
    )
    assert rejected.status == S.REJECTED
    assert rejected.authority_codes == ["00910-003"]
    assert rejected.authority_message == "Startdatum ligt te ver in het verleden"
    contract.refresh_from_db()
    assert contract.status == EmploymentContract.Status.VALIDATED
    assert contract_statuses(contract)[0].tone == "bad"

    correction = services.declaration_correct(declaration=rejected, actor=None)
    rejected.refresh_from_db()
    assert rejected.status == S.CORRECTED and correction.corrects == rejected
    assert correction.status == S.READY and correction.reference != rejected_ref
    with pytest.raises(Conflict):
        services.declaration_correct(declaration=rejected, actor=None)
    services.outbox_batch(entity=activity.entity, actor=None)
    services.answer_upload(
        entity=activity.entity, raw=notification((correction.reference, "555", [])), actor=None
    )
    contract.refresh_from_db()
    assert contract.status == EmploymentContract.Status.DECLARED
    # every step of both is in the audit trail, in order
    assert trail(rejected) == [
        "declarations.declaration.queued",
        "declarations.declaration.ready",
        "declarations.declaration.sent",
        "declarations.declaration.rejected",
        "declarations.declaration.corrected",
    ]
    assert trail(correction) == [
        "declarations.declaration.queued",
        "declarations.declaration.ready",
        "declarations.declaration.sent",
        "declarations.declaration.accepted",
    ]


def trail(declaration: Declaration) -> list[str]:
    return list(
        AuditLogEntry.objects.filter(target_id=str(declaration.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_an_unreadable_answer_is_kept_and_never_applied(entity):
    activity = worker_activity(entity)
    contract = make_contract(activity)
    services.outbox_batch(entity=activity.entity, actor=None)
    for raw in (b"<NotificationList><Form>", b"%PDF-1.4 not xml", b"<Other/>"):
        answer = services.answer_upload(entity=activity.entity, raw=raw, actor=None)
        assert not answer.parsed and answer.error and answer.applied == 0
    assert (
        AuthorityAnswer.objects.with_scopes_disabled().filter(entity=activity.entity).count() == 3
    )
    assert the_in(contract).status == S.SENT
    assert AuditLogEntry.objects.filter(action="declarations.answer.unreadable").count() == 3


def test_an_answer_of_another_entity_changes_nothing_here(entity, other_entity):
    activity = worker_activity(entity)
    contract = make_contract(activity)
    services.outbox_batch(entity=activity.entity, actor=None)
    answer = services.answer_upload(
        entity=other_entity, raw=notification((the_in(contract).reference, "9", [])), actor=None
    )
    assert answer.applied == 0 and the_in(contract).status == S.SENT


def test_cancelling_withdraws_an_unsent_dimona_and_cancels_an_accepted_one(entity):
    activity = worker_activity(entity)
    unsent = make_contract(activity)
    contract_cancel(contract=unsent, reason="Client cancelled", actor=None)
    assert the_in(unsent).status == S.WITHDRAWN
    assert contract_statuses(unsent)[0].label == "Not declared"

    accepted = make_contract(activity, start=dt.date.today() + dt.timedelta(days=30))
    services.outbox_batch(entity=activity.entity, actor=None)
    services.answer_upload(
        entity=activity.entity,
        raw=notification((the_in(accepted).reference, "777", [])),
        actor=None,
    )
    contract_cancel(contract=accepted, reason="Client cancelled", actor=None)
    cancel = Declaration.objects.with_scopes_disabled().get(contract=accepted, kind="dimona_cancel")
    assert cancel.status == S.READY
    assert (
        etree.fromstring(cancel.payload.encode()).findtext("Form/DimonaCancel/DimonaPeriodId")
        == "777"
    )
    assert builders.schema_errors(cancel.payload.encode()) == []
    assert timezone.localtime(cancel.due_at).date() == accepted.start_date


def test_a_contract_cancelled_while_its_dimona_is_out_gets_a_cancel_when_accepted(entity):
    activity = worker_activity(entity)
    contract = make_contract(activity)
    services.outbox_batch(entity=activity.entity, actor=None)
    contract_cancel(contract=contract, reason="Client cancelled", actor=None)
    assert (
        not Declaration.objects.with_scopes_disabled()
        .filter(contract=contract, kind="dimona_cancel")
        .exists()
    )
    services.answer_upload(
        entity=activity.entity,
        raw=notification((the_in(contract).reference, "888", [])),
        actor=None,
    )
    cancel = Declaration.objects.with_scopes_disabled().get(contract=contract, kind="dimona_cancel")
    assert cancel.inputs["period_id"] == "888" and cancel.status == S.READY


def test_changed_dates_update_an_accepted_dimona(entity):
    activity = worker_activity(entity)
    contract = make_contract(activity, days=2)
    services.outbox_batch(entity=activity.entity, actor=None)
    services.answer_upload(
        entity=activity.entity,
        raw=notification((the_in(contract).reference, "999", [])),
        actor=None,
    )
    EmploymentContract.objects.with_scopes_disabled().filter(pk=contract.pk).update(
        end_date=contract.end_date + dt.timedelta(days=1)
    )
    contract.refresh_from_db()
    services.contract_dates_changed(contract=contract, actor=None)
    update = Declaration.objects.with_scopes_disabled().get(contract=contract, kind="dimona_update")
    root = etree.fromstring(update.payload.encode())
    assert root.findtext("Form/DimonaUpdate/DimonaPeriodId") == "999"
    assert root.findtext("Form/DimonaUpdate/EndingDate") == contract.end_date.isoformat()
    assert builders.schema_errors(update.payload.encode()) == []


def test_a_student_gets_one_dimona_per_quarter_with_planned_hours(entity):
    activity = worker_activity(entity)
    today = dt.date.today()
    quarter_end_month = ((today.month - 1) // 3) * 3 + 3
    next_quarter = dt.date(today.year + (quarter_end_month == 12), quarter_end_month % 12 + 1, 1)
    contract = make_contract(
        activity, start=next_quarter - dt.timedelta(days=2), days=4, kind="student"
    )
    declarations = list(
        Declaration.objects.with_scopes_disabled()
        .filter(contract=contract)
        .order_by("period_start")
    )
    assert [d.status for d in declarations] == [S.READY, S.READY]
    hours = [
        etree.fromstring(d.payload.encode()).findtext("Form/DimonaIn/PlannedHoursNbr")
        for d in declarations
    ]
    assert hours == ["4", "4"]  # 8 hours over 4 days, 2 days in each quarter
    assert {
        etree.fromstring(d.payload.encode()).findtext("Form/DimonaIn/DimonaFeatures/WorkerType")
        for d in declarations
    } == {"STU"}


def test_a_missing_national_number_keeps_the_dimona_in_draft_naming_contract_and_field(entity):
    activity = worker_activity(entity, national_number="")
    contract = make_contract(activity)
    declaration = the_in(contract)
    assert (
        declaration.status == S.DRAFT
        and declaration.payload == ""
        and declaration.payload_sha256 == ""
    )
    assert [p["field"] for p in declaration.problems] == ["member.national_number"]
    assert (
        date_format(contract.start_date, "SHORT_DATE_FORMAT") in declaration.problems[0]["message"]
    )
    assert activity.coordinator.display_name in declaration.problems[0]["message"]
    assert services.outbox_batch(entity=activity.entity, actor=None) == (
        b"",
        0,
    )  # nothing half-built goes out

    member = activity.coordinator
    member.national_number = INSS
    member.save()
    services.declaration_rebuild_drafts(contract=contract, actor=None)
    assert the_in(contract).status == S.READY


def test_a_parameter_missing_for_the_period_keeps_it_in_draft(entity):
    activity = worker_activity(entity)
    contract = make_contract(activity, validate=False)
    EmploymentContract.objects.with_scopes_disabled().filter(pk=contract.pk).update(
        start_date=dt.date(2001, 1, 1), end_date=dt.date(2001, 1, 1)
    )
    contract.refresh_from_db()
    from activities.services import contract_validate

    contract_validate(contract=contract, actor=None)
    declaration = the_in(contract)
    assert declaration.status == S.DRAFT
    assert declaration.problems[0]["field"] == "parameter"
    assert "be.dimona_worker_type" in declaration.problems[0]["message"]


def test_a_contract_started_without_an_accepted_dimona_is_flagged_and_cannot_go_on(entity):
    from activities.services import contract_mark_performed

    activity = worker_activity(entity)
    contract = make_contract(activity)
    status = contract_statuses(contract)[0]
    assert status.tone == "warn" and "may not start" not in status.detail
    # the start has passed and the Dimona IN is still not accepted (sent, no answer yet)
    services.outbox_batch(entity=activity.entity, actor=None)
    EmploymentContract.objects.with_scopes_disabled().filter(pk=contract.pk).update(
        start_date=dt.date.today() - dt.timedelta(days=1),
        end_date=dt.date.today() - dt.timedelta(days=1),
    )
    contract.refresh_from_db()
    status = contract_statuses(contract)[0]
    assert (status.label, status.tone) == ("Not declared yet", "bad")
    assert status.detail == (
        "Dimona IN sent, waiting for the authority. "
        "Work may not start before the declaration is accepted."
    )
    with pytest.raises(Conflict):
        contract_mark_performed(contract=contract, actor=None)
    contract.refresh_from_db()
    assert contract.status == EmploymentContract.Status.VALIDATED

    services.answer_upload(
        entity=activity.entity,
        raw=notification((the_in(contract).reference, "777", [])),
        actor=None,
    )
    contract.refresh_from_db()
    assert contract_statuses(contract)[0].label == "Declared"
    assert contract_mark_performed(contract=contract, actor=None).status == "performed"


def test_a_posted_contracts_acceptance_is_kept_and_it_is_declared_once_its_a1_is_in_place(entity):
    """A contract performed abroad cannot be declared before its A1 and host-country declaration
    are in place: the ONSS's acceptance is recorded all the same (with the rest of its file), and
    the contract becomes declared when staff record the documents."""
    from activities.services import contract_update_posting, contract_validate
    from tests.activities.factories import salary_contract

    activity = worker_activity(entity)
    posted = contract_validate(
        contract=salary_contract(
            activity,
            start=dt.date.today() + dt.timedelta(days=12),
            workplace_country="FR",
            workplace_address="Lille",
        ),
        actor=None,
    )
    assert posted.posting_required and not posted.posting_in_place
    at_home = make_contract(activity, start=dt.date.today() + dt.timedelta(days=20))
    services.outbox_batch(entity=activity.entity, actor=None)

    answer = services.answer_upload(
        entity=activity.entity,
        raw=notification(
            (the_in(posted).reference, "321", []), (the_in(at_home).reference, "322", [])
        ),
        actor=None,
    )
    assert answer.parsed and answer.applied == 2
    assert the_in(posted).status == S.ACCEPTED and the_in(posted).dimona_period_id == "321"
    posted.refresh_from_db()
    at_home.refresh_from_db()
    assert at_home.status == EmploymentContract.Status.DECLARED
    assert posted.status == EmploymentContract.Status.VALIDATED
    status = contract_statuses(posted)[0]
    assert (status.label, status.tone) == ("Not declared yet", "warn")
    assert "Dimona IN accepted on" in status.detail
    assert "A1 certificate and the host-country declaration" in status.detail

    contract_update_posting(contract=posted, actor=None, a1_status="in_place")
    posted.refresh_from_db()
    assert posted.status == EmploymentContract.Status.VALIDATED  # the host declaration is missing
    contract_update_posting(contract=posted, actor=None, host_declaration_status="in_place")
    posted.refresh_from_db()
    assert posted.status == EmploymentContract.Status.DECLARED
    assert contract_statuses(posted)[0].label == "Declared"
