"""Ledger invariants as property-based tests against the real database: entries never change,
the balance is the sum of the entries, and a planned salary is counted exactly once (planned
until paid, then in the balance)."""

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import selectors, services
from activities.models import EmploymentContract, LedgerEntry
from smartcoop.core.errors import ApplicationError
from tests.activities.factories import ActivityFactory

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]

money = st.decimals(min_value="0.01", max_value="5000", places=2)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("credit"), money),
        st.tuples(st.just("plan"), money),
        st.tuples(st.just("pay"), st.integers(min_value=0, max_value=9)),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=9)),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("adjust"), st.decimals(min_value="-500", max_value="500", places=2)),
    ),
    min_size=1,
    max_size=12,
)


def _apply(activity, operation, argument, state):
    today = dt.date.today()
    if operation == "credit":
        state["n"] += 1
        services.activity_credit_client_payment(
            activity=activity,
            amount_excl_vat=argument,
            on=today,
            source_type="prop",
            source_id=str(state["n"]),
            actor=None,
        )
    elif operation == "plan":
        state["n"] += 1
        start = today + dt.timedelta(days=10 + 2 * state["n"])
        services.contract_request_salary(
            activity=activity,
            member=activity.coordinator,
            contract_type="employee",
            start_date=start,
            end_date=start,
            hours=Decimal("4"),
            gross_wage=argument,
            function="x",
            actor=None,
        )
    elif operation in ("pay", "cancel"):
        planned = list(
            EmploymentContract.objects.filter(
                activity=activity, status__in=EmploymentContract.PLANNED_STATUSES
            ).order_by("pk")
        )
        if not planned:
            return
        contract = planned[argument % len(planned)]
        if operation == "cancel":
            services.contract_cancel(contract=contract, reason="prop", actor=None)
            return
        if contract.status == "draft":
            contract = services.contract_validate(contract=contract, actor=None)
        if contract.status == "validated":
            contract = services.contract_declare(contract=contract, actor=None)
        services.contract_mark_paid(contract=contract, paid_on=today, actor=None)
    elif operation == "reverse":
        entries = list(
            LedgerEntry.objects.filter(
                activity=activity, reverses__isnull=True, reversed_by__isnull=True
            ).order_by("pk")
        )
        if entries:
            services.ledger_entry_reverse(
                entry=entries[argument % len(entries)], reason="prop", actor=None
            )
    elif operation == "adjust" and argument != 0:
        services.ledger_adjust(activity=activity, amount=argument, reason="prop", actor=None)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_ledger_invariants(ops):
    activity = ActivityFactory()
    state = {"n": 0}
    for operation, argument in ops:
        before = list(LedgerEntry.objects.filter(activity=activity).values_list("pk", "amount"))
        # A refusal (e.g. above the available budget) changes nothing.
        with contextlib.suppress(ApplicationError):
            _apply(activity, operation, argument, state)
        # Entries never change: every earlier entry is still there, identical.
        after = dict(LedgerEntry.objects.filter(activity=activity).values_list("pk", "amount"))
        assert all(after[pk] == amount for pk, amount in before)
        amounts = list(
            LedgerEntry.objects.filter(activity=activity).values_list("amount", flat=True)
        )
        budget = selectors.activity_budget(activity=activity)
        # The balance is the sum of the entries.
        assert budget.balance == sum(amounts, Decimal("0.00"))
        # Each contract is counted once: planned (not paid) or as one salary-cost entry (paid).
        contracts = EmploymentContract.objects.filter(activity=activity)
        planned = sum(
            (c.employer_cost for c in contracts if c.status in EmploymentContract.PLANNED_STATUSES),
            Decimal("0.00"),
        )
        assert budget.planned_salaries == planned
        for contract in contracts:
            entries = LedgerEntry.objects.filter(
                kind="salary_cost", source_id=str(contract.public_id), reverses__isnull=True
            ).count()
            assert entries == (1 if contract.status in ("paid", "closed") else 0)
        assert (
            budget.available == budget.balance - planned - budget.pending_expenses - budget.reserve
        )
