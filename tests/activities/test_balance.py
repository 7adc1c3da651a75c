"""Each Activity's balance is kept by the database beside its ledger (ActivityBalance, a trigger
on every insert): whatever writes entries, the balance shown is the sum of the entries."""

import datetime as dt
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Sum
from django_scopes import scope

from activities import selectors, services
from activities.models import ActivityBalance, ExpenseClaim, LedgerEntry
from tests.activities.factories import ActivityFactory, credit, salary_contract
from tests.factories import staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
K = LedgerEntry.Kind


def entries_sum(activity) -> Decimal:
    return LedgerEntry.objects.filter(activity=activity).aggregate(s=Sum("amount"))["s"] or Decimal(
        0
    )


def entry(activity, amount: str, kind=K.ADJUSTMENT) -> LedgerEntry:
    return LedgerEntry(
        entity=activity.entity,
        activity=activity,
        kind=kind,
        amount=Decimal(amount),
        booked_on=dt.date.today(),
        source_type="test",
        source_id=str(uuid.uuid4()),
        description="test entry",
    )


def test_the_balance_is_the_sum_of_the_entries_whoever_writes_them():
    first, second = ActivityFactory(), ActivityFactory()
    assert selectors.activity_budget(activity=first).balance == Decimal("0.00")
    # A service: a client payment and its fee, then a reversal.
    payment = credit(first, "1000.00").payment
    services.ledger_entry_reverse(entry=payment, reason="bounced", actor=None)
    credit(first, "200.00", source="second")
    # One statement writing entries of two Activities (as a pay run's bulk insert does).
    LedgerEntry.objects.bulk_create(
        [entry(first, "-30.00"), entry(second, "40.00"), entry(second, "-15.50")]
    )
    # COPY, as the scale seeder writes them.
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY activities_ledgerentry (public_id, created_at, updated_at, entity_id,"
            " activity_id, kind, amount, booked_on, description, source_type, source_id)"
            " FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            copy.write_row(
                [
                    "6f1c1d1e-0000-4000-8000-000000000001",
                    "2026-01-01T00:00:00Z",
                    "2026-01-01T00:00:00Z",
                    second.entity_id,
                    second.pk,
                    K.ADJUSTMENT,
                    "2.25",
                    "2026-01-01",
                    "copied",
                    "test",
                    "copy",
                ]
            )
    assert (
        selectors.activity_budget(activity=first).balance == entries_sum(first) == Decimal("92.00")
    )
    assert (
        selectors.activity_budget(activity=second).balance
        == entries_sum(second)
        == Decimal("26.75")
    )
    assert selectors.reconciliation(entity=first.entity).ok


def test_entries_rolled_back_leave_the_balance_as_it_was():
    activity = ActivityFactory()
    credit(activity, "100.00")
    with pytest.raises(RuntimeError), transaction.atomic():
        LedgerEntry.objects.bulk_create([entry(activity, "500.00")])
        assert selectors.activity_budget(activity=activity).balance == Decimal("593.50")
        raise RuntimeError
    assert selectors.activity_budget(activity=activity).balance == Decimal("93.50")


def test_reconciliation_notices_a_balance_that_is_not_the_sum_of_the_entries():
    activity = ActivityFactory()
    credit(activity, "100.00")
    assert selectors.reconciliation(entity=activity.entity).ok
    # Nothing writes this table but the trigger; a hand-made change is caught.
    ActivityBalance.objects.filter(activity=activity).update(balance=Decimal("1.00"))
    assert not selectors.reconciliation(entity=activity.entity).ok


@pytest.mark.django_db(transaction=True)
def test_simultaneous_entries_on_one_activity_all_count():
    activity = ActivityFactory()
    barrier = threading.Barrier(4)

    def post(number: int) -> None:
        try:
            with scope(entity=activity.entity_id):
                barrier.wait()
                with transaction.atomic():
                    LedgerEntry.objects.bulk_create(
                        [entry(activity, f"{number + 1}.00"), entry(activity, "10.00")]
                    )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert selectors.activity_budget(activity=activity).balance == Decimal("50.00")
    assert entries_sum(activity) == Decimal("50.00")


def test_the_queues_list_every_activity_whose_available_budget_is_below_zero():
    """The alert looks up Activities with a planned contract or a pending claim apart from the
    others (see _negative_available): each way below zero is listed, and nothing else."""

    def funded(name: str):
        activity = ActivityFactory(name=name)
        credit(activity, "1000.00")  # balance 935.00
        return activity

    planned_over = funded("planned over")
    contract = salary_contract(planned_over, gross="100.00")
    services.ledger_adjust(
        activity=planned_over, amount=Decimal("-900.00"), reason="bank fee", actor=None
    )
    planned_within = funded("planned within")
    salary_contract(planned_within, gross="100.00")
    claim_over = funded("claim over")
    ExpenseClaim.objects.create(
        entity=claim_over.entity,
        activity=claim_over,
        member=claim_over.coordinator,
        title="Van",
        total=Decimal("1000.00"),
        status=ExpenseClaim.Status.SUBMITTED,
    )
    overdrawn = ActivityFactory(name="overdrawn")
    services.ledger_adjust(
        activity=overdrawn, amount=Decimal("-100.00"), reason="wage advanced", actor=None
    )
    reserved = funded("reserve over")
    type(reserved).objects.filter(pk=reserved.pk).update(reserve_amount=Decimal("1000.00"))
    funded("healthy")
    assert contract.employer_cost > Decimal("35.00")

    accountant = staff_user("accountant", entities=[planned_over.entity])
    queues = selectors.staff_queues(
        user=accountant, entity=planned_over.entity, today=dt.date.today()
    )
    listed = {a.name for a in queues.negative_available}
    assert listed == {"planned over", "claim over", "overdrawn", "reserve over"}
    every = selectors.activity_list_for_staff(user=accountant, entity=planned_over.entity)
    assert listed == {a.name for a in every if a.available < 0}
    assert [a.name for a in queues.exposed] == ["overdrawn"]
    assert queues.exposure_total == Decimal("100.00")
