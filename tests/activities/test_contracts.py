import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import override

from activities import selectors, services
from activities.models import Activity, EmploymentContract
from smartcoop.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.activities.factories import ActivityFactory, credit, make_member, salary_contract

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
TODAY = dt.date.today()


def perform(activity, *, price="1000.00", start=None, source="perf-1", **kwargs):
    start = start or TODAY + dt.timedelta(days=10)
    return services.contract_create_for_performance(
        activity=activity,
        member=kwargs.pop("member", activity.coordinator),
        contract_type=kwargs.pop("contract_type", "employee"),
        start_date=start,
        end_date=kwargs.pop("end", start),
        hours=Decimal("6"),
        price_excl_vat=Decimal(price),
        function="Sound engineer",
        source_type="invoicing.performance",
        source_id=source,
        actor=None,
        **kwargs,
    )


def test_contract_tool_gross_follows_price_minus_fee_over_coefficient():
    activity = ActivityFactory()
    contract = perform(activity, contract_type="artistic")
    assert contract.gross_wage == Decimal("595.54")
    assert contract.coefficient == Decimal("1.57")
    assert contract.employer_cost == Decimal("935.00")
    assert contract.tool == "contract"
    assert contract.status == "draft"
    assert contract.wage_due_on > contract.end_date


def test_contract_tool_is_idempotent_per_performance():
    activity = ActivityFactory()
    first = perform(activity, source="p-77")
    again = perform(activity, source="p-77")
    assert first.pk == again.pk
    assert EmploymentContract.objects.count() == 1


def test_overlapping_contracts_are_refused_with_the_dates():
    activity = ActivityFactory()
    start = TODAY + dt.timedelta(days=20)
    perform(activity, start=start, end=start + dt.timedelta(days=2), source="a")
    with pytest.raises(ValidationFailed) as error:
        perform(activity, start=start + dt.timedelta(days=1), source="b")
    assert error.value.code == "contract_overlap"
    assert date_format(start, "SHORT_DATE_FORMAT") in error.value.message


def test_a_refused_date_reads_as_the_members_language_writes_dates_not_iso():
    activity = ActivityFactory()
    start = TODAY + dt.timedelta(days=20)
    perform(activity, start=start, end=start + dt.timedelta(days=2), source="a")
    with override("nl"), pytest.raises(ValidationFailed) as error:
        perform(activity, start=start + dt.timedelta(days=1), source="b")
    assert f"{start.day}-{start.month}-{start.year}" in error.value.message
    assert start.isoformat() not in error.value.message


def test_the_database_refuses_overlaps_too():
    activity = ActivityFactory()
    contract = perform(activity)
    clone = EmploymentContract.objects.get(pk=contract.pk)
    clone.pk = None
    clone.public_id = None
    clone.source_id = "other"
    from uuid import uuid4

    clone.public_id = uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save(force_insert=True)


def test_cancelled_contract_frees_the_days():
    activity = ActivityFactory()
    contract = perform(activity, source="a")
    services.contract_cancel(contract=contract, reason="client cancelled", actor=None)
    assert perform(activity, source="b").status == "draft"


def test_contract_cannot_start_in_the_past():
    activity = ActivityFactory()
    with pytest.raises(ValidationFailed) as error:
        perform(activity, start=TODAY - dt.timedelta(days=1))
    assert error.value.code == "start_in_past"


def test_cancel_only_before_start_and_with_a_reason():
    activity = ActivityFactory()
    contract = perform(activity, start=TODAY + dt.timedelta(days=3))
    with pytest.raises(ValidationFailed):
        services.contract_cancel(contract=contract, reason="", actor=None)
    with pytest.raises(Conflict):
        services.contract_cancel(
            contract=contract, reason="late", actor=None, today=TODAY + dt.timedelta(days=3)
        )
    cancelled = services.contract_cancel(contract=contract, reason="client cancelled", actor=None)
    assert cancelled.status == "cancelled"
    assert (
        services.contract_cancel(contract=cancelled, reason="again", actor=None).status
        == "cancelled"
    )


@pytest.mark.parametrize(
    ("status", "starts_in", "refusal"),
    [
        ("draft", 1, None),
        ("validated", 1, None),
        ("declared", 1, None),
        ("declared", 0, "contract_started"),
        ("validated", -1, "contract_started"),
        ("performed", 1, "conflict"),
        ("paid", 1, "conflict"),
        ("cancelled", 1, "conflict"),
    ],
)
def test_one_cancel_rule_for_service_pages_and_api(status, starts_in, refusal):
    contract = EmploymentContract(status=status, start_date=TODAY + dt.timedelta(days=starts_in))
    found = contract.cancel_refusal(TODAY)
    assert (found and found[0]) == refusal
    assert contract.can_be_cancelled(TODAY) is (refusal is None)


def test_salary_request_above_available_is_refused_with_the_figures():
    activity = ActivityFactory()
    credit(activity, "1000.00")  # 935.00
    with pytest.raises(ValidationFailed) as error:
        salary_contract(activity, gross="700.00")  # cost 1,085.00
    assert error.value.code == "insufficient_budget"
    assert error.value.extra["available"] == "935.00"
    assert error.value.extra["needed"] == "1085.00"
    assert "935" in error.value.message
    assert not EmploymentContract.objects.exists()


def test_salary_request_up_to_the_available_budget_is_accepted():
    activity = ActivityFactory()
    credit(activity, "1000.00")
    contract = salary_contract(activity, gross="603.22")  # 934.99
    assert contract.employer_cost == Decimal("934.99")
    assert selectors.activity_budget(activity=activity).available == Decimal("0.01")


def test_salary_request_needs_the_right_and_an_active_activity():
    activity = ActivityFactory()
    credit(activity, "1000.00")
    outsider = make_member()
    with pytest.raises(PermissionDenied):
        salary_contract(activity, member=outsider)
    activity.status = Activity.Status.SUSPENDED
    activity.save()
    with pytest.raises(Conflict):
        salary_contract(activity)


def test_student_quota_warns_and_explains():
    activity = ActivityFactory()
    credit(activity, "100000.00")
    year = TODAY.year + 1
    services.contract_request_salary(
        activity=activity,
        member=activity.coordinator,
        contract_type="student",
        start_date=dt.date(year, 2, 2),
        end_date=dt.date(year, 4, 30),
        hours=Decimal("640"),
        gross_wage=Decimal("1000"),
        function="Helper",
        actor=None,
    )
    contract = services.contract_request_salary(
        activity=activity,
        member=activity.coordinator,
        contract_type="student",
        start_date=dt.date(year, 5, 4),
        end_date=dt.date(year, 5, 8),
        hours=Decimal("20"),
        gross_wage=Decimal("100"),
        function="Helper",
        actor=None,
    )
    assert contract.warnings[0]["code"] == "student_quota"
    assert "650" in contract.warnings[0]["message"]


def test_posting_abroad_blocks_the_declaration_until_documents_are_in_place(admin_user):
    activity = ActivityFactory()
    contract = perform(activity, workplace_country="FR", workplace_address="Lille")
    assert contract.posting_required and contract.a1_status == "missing"
    services.contract_validate(contract=contract, actor=admin_user)
    with pytest.raises(Conflict) as error:
        services.contract_declare(contract=contract, actor=admin_user)
    assert error.value.code == "posting_documents_missing"
    services.contract_update_posting(
        contract=contract,
        actor=admin_user,
        a1_status="in_place",
        a1_reference="A1-123",
        host_declaration_status="in_place",
        host_declaration_reference="SIPSI-9",
    )
    assert services.contract_declare(contract=contract, actor=admin_user).status == "declared"


def test_staff_can_lift_the_posting_block(admin_user):
    activity = ActivityFactory()
    contract = perform(activity, workplace_country="FR")
    services.contract_validate(contract=contract, actor=admin_user)
    services.contract_update_posting(contract=contract, actor=admin_user, blocks_start=False)
    assert services.contract_declare(contract=contract, actor=admin_user).status == "declared"


def test_interruptions_are_recorded_within_the_contract(admin_user):
    activity = ActivityFactory()
    start = TODAY + dt.timedelta(days=5)
    contract = perform(activity, start=start, end=start + dt.timedelta(days=4))
    interruption = services.contract_record_interruption(
        contract=contract,
        kind="temporary_unemployment",
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        reason="venue closed (pandemic)",
        actor=admin_user,
    )
    assert interruption.pk
    with pytest.raises(ValidationFailed):
        services.contract_record_interruption(
            contract=contract,
            kind="cancelled_work",
            start_date=start,
            end_date=start + dt.timedelta(days=30),
            reason="x",
            actor=admin_user,
        )


def test_lifecycle_runs_in_order():
    activity = ActivityFactory()
    credit(activity, "1000.00")
    contract = salary_contract(activity)
    with pytest.raises(Conflict):
        services.contract_mark_paid(contract=contract, paid_on=TODAY, actor=None)
    for step in (
        services.contract_validate,
        services.contract_declare,
        services.contract_mark_performed,
    ):
        contract = step(contract=contract, actor=None)
    contract = services.contract_mark_paid(contract=contract, paid_on=TODAY, actor=None)
    assert services.contract_close(contract=contract, actor=None).status == "closed"


def test_a_member_without_paid_shares_gets_no_contract():
    from members.models import Member

    member = make_member(status=Member.Status.APPLICANT)
    activity = ActivityFactory(coordinator=member)
    with pytest.raises(Conflict):
        perform(activity)
    assert not EmploymentContract.objects.exists()


def test_contract_tool_contract_rolls_back_with_the_callers_transaction():
    """Invoicing creates invoice and contract in one transaction: if issuing the invoice fails
    after the contract was made, neither remains."""
    activity = ActivityFactory()

    class InvoiceFailed(Exception):
        pass

    with pytest.raises(InvoiceFailed), transaction.atomic():
        perform(activity, source="perf-rollback")
        raise InvoiceFailed
    assert not EmploymentContract.objects.filter(source_id="perf-rollback").exists()
    assert perform(activity, source="perf-rollback").pk


def test_contract_list_api_query_count(django_assert_max_num_queries):
    from rest_framework.test import APIClient

    activity = ActivityFactory()
    credit(activity, "10000.00")
    for _ in range(8):
        salary_contract(activity)
    client = APIClient()
    client.force_authenticate(activity.coordinator.user)
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/activities/contracts/")
    assert response.json()["count"] == 8


def test_a_batch_of_contracts_is_marked_paid_and_charged_once():
    """A pay run's posting: each payable contract becomes paid and charges its Activity its
    budgeted cost once; one not payable yet is left alone; posting again changes nothing."""
    from activities.models import LedgerEntry
    from smartcoop.core.models import AuditLogEntry

    first, second = ActivityFactory(), ActivityFactory()
    credit(first, "5000.00")
    credit(second, "5000.00")
    payable = []
    for activity, day in ((first, 10), (first, 12), (second, 14)):
        contract = salary_contract(activity, start=TODAY + dt.timedelta(days=day))
        contract = services.contract_validate(contract=contract, actor=None)
        payable.append(services.contract_declare(contract=contract, actor=None))
    draft = salary_contract(first, start=TODAY + dt.timedelta(days=20))
    ids = [c.pk for c in payable] + [draft.pk]
    entity = first.entity
    assert (
        services.contracts_mark_paid(entity=entity, contract_ids=ids, paid_on=TODAY, actor=None)
        == 3
    )
    assert (
        services.contracts_mark_paid(entity=entity, contract_ids=ids, paid_on=TODAY, actor=None)
        == 0
    )
    statuses = dict(EmploymentContract.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses == {**{c.pk: "paid" for c in payable}, draft.pk: draft.status}
    assert set(EmploymentContract.objects.filter(pk__in=ids, status="paid").values_list(
        "paid_on", flat=True)) == {TODAY}  # fmt: skip
    for activity in (first, second):
        charged = [c for c in payable if c.activity_id == activity.pk]
        entries = LedgerEntry.objects.filter(activity=activity, kind="salary_cost")
        assert sorted(e.amount for e in entries) == sorted(-c.employer_cost for c in charged)
        assert {e.source_id for e in entries} == {str(c.public_id) for c in charged}
    assert AuditLogEntry.objects.filter(action="activities.contract.paid").count() == 3
    assert AuditLogEntry.objects.filter(action="activities.ledger.salary_cost").count() == 3
