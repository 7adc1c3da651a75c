"""Races and the real Celery worker (transactional tests: the data is committed)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scope

from activities import services
from activities.models import EmploymentContract, Loan
from activities.tasks import collect_loan_instalments
from smartcoop.core.errors import ApplicationError
from tests.activities.factories import ActivityFactory, credit, make_member

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = pytest.mark.entity_scope("activities_entity")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_salary_requests_cannot_spend_the_same_budget():
    """Available 935.00; two requests of 600.00 gross (930.00 each) at the same moment: the
    Activity row lock makes the second see the first, so exactly one is accepted."""
    activity = ActivityFactory()
    other = make_member()
    services.activity_member_set(
        activity=activity,
        member=other,
        can_invoice=True,
        can_request_salary=True,
        can_spend=True,
        actor=None,
    )
    credit(activity, "1000.00")
    barrier = threading.Barrier(2)
    outcomes = []

    def request(member, offset):
        # A thread starts with no scope: open the Activity's, as a request or a task would.
        try:
            with scope(entity=activity.entity_id):
                barrier.wait()
                start = dt.date.today() + dt.timedelta(days=offset)
                services.contract_request_salary(
                    activity=activity,
                    member=member,
                    contract_type="employee",
                    start_date=start,
                    end_date=start,
                    hours=Decimal("8"),
                    gross_wage=Decimal("600.00"),
                    function="x",
                    actor=None,
                )
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=request, args=(activity.coordinator, 10)),
        threading.Thread(target=request, args=(other, 11)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["insufficient_budget", "ok"]
    assert EmploymentContract.objects.count() == 1


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_loan_instalments_collected_by_a_real_worker(celery_worker, admin_user):
    activity = ActivityFactory()
    loan = services.loan_apply(
        activity=activity,
        member=activity.coordinator,
        purpose="Camera",
        amount=Decimal("900.00"),
        months=3,
        actor=None,
    )
    services.loan_decide(loan=loan, approve=True, reason="", actor=admin_user)
    services.loan_disburse(loan=loan, actor=admin_user, on=dt.date(2026, 1, 20))
    assert collect_loan_instalments.delay(today="2026-03-05").get(timeout=60) == 2
    assert collect_loan_instalments.delay(today="2026-03-05").get(timeout=60) == 0
    loan.refresh_from_db()
    assert loan.repaid == Decimal("600.00")
    assert loan.status == Loan.Status.DISBURSED


@pytest.mark.django_db(transaction=True)
def test_instalment_task_skips_a_loan_another_worker_holds(admin_user):
    """SKIP LOCKED: while another transaction holds the loan row, the task leaves it alone
    (no wait, no double debit); the next run collects it."""
    from django.db import transaction

    activity = ActivityFactory()
    loan = services.loan_apply(
        activity=activity,
        member=activity.coordinator,
        purpose="Van",
        amount=Decimal("300"),
        months=3,
        actor=None,
    )
    services.loan_decide(loan=loan, approve=True, reason="", actor=admin_user)
    services.loan_disburse(loan=loan, actor=admin_user, on=dt.date(2026, 1, 10))
    locked = threading.Event()
    release = threading.Event()

    def hold():
        with transaction.atomic():
            Loan.objects.with_scopes_disabled().select_for_update().get(pk=loan.pk)
            locked.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(30)
    try:
        assert collect_loan_instalments(today="2026-02-02") == 0
    finally:
        release.set()
        holder.join(30)
    assert collect_loan_instalments(today="2026-02-02") == 1
