import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from activities import selectors, services
from activities.models import LedgerEntry
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import AuditLogEntry
from tests.activities.factories import ActivityFactory, credit, salary_contract
from tests.factories import LegalEntityFactory

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
K = LedgerEntry.Kind


def test_client_payment_credits_amount_and_debits_the_fee():
    activity = ActivityFactory()
    booking = credit(activity, "1000.00", source="inv-1")
    assert booking.created
    assert booking.payment.amount == Decimal("1000.00")
    assert booking.fee.amount == Decimal("-65.00")
    assert selectors.activity_budget(activity=activity).balance == Decimal("935.00")
    assert AuditLogEntry.objects.filter(action="activities.ledger.client_payment").count() == 1


def test_client_payment_is_idempotent_per_source():
    activity = ActivityFactory()
    first = credit(activity, "200.00", source="pay-9")
    again = credit(activity, "200.00", source="pay-9")
    assert not again.created
    assert again.payment.pk == first.payment.pk
    assert LedgerEntry.objects.filter(activity=activity).count() == 2
    with pytest.raises(Conflict) as error:
        credit(activity, "250.00", source="pay-9")
    assert "200" in error.value.message


def test_entries_cannot_be_changed_or_deleted_in_the_database():
    activity = ActivityFactory()
    entry = credit(activity, "100.00").payment
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM activities_ledgerentry WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.amount == Decimal("100.00")


def test_sign_of_an_entry_must_match_its_kind():
    activity = ActivityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            entity=activity.entity,
            activity=activity,
            kind=K.MANAGEMENT_FEE,
            amount=Decimal("5.00"),
            booked_on=dt.date.today(),
            source_type="x",
            source_id="1",
        )


def test_reversing_an_entry_brings_the_balance_back_and_only_once():
    activity = ActivityFactory()
    entry = credit(activity, "100.00").payment
    reversal = services.ledger_entry_reverse(entry=entry, reason="bounced", actor=None)
    assert reversal.amount == Decimal("-100.00")
    assert selectors.activity_budget(activity=activity).balance == Decimal("-6.50")
    with pytest.raises(Conflict):
        services.ledger_entry_reverse(entry=entry, reason="again", actor=None)
    with pytest.raises(Conflict):
        services.ledger_entry_reverse(entry=reversal, reason="undo", actor=None)


def test_reverse_source_reverses_payment_and_fee():
    activity = ActivityFactory()
    credit(activity, "400.00", source="p-1")
    reversed_entries = services.activity_reverse_source(
        activity=activity,
        source_type="tests.payment",
        source_id="p-1",
        reason="chargeback",
        actor=None,
        on=dt.date.today(),
    )
    assert len(reversed_entries) == 2
    assert selectors.activity_budget(activity=activity).balance == Decimal("0.00")


def test_adjustment_needs_a_reason(admin_user):
    activity = ActivityFactory()
    with pytest.raises(ValidationFailed):
        services.ledger_adjust(
            activity=activity, amount=Decimal("10"), reason=" ", actor=admin_user
        )
    entry = services.ledger_adjust(
        activity=activity, amount=Decimal("-10"), reason="bank fee", actor=admin_user
    )
    assert entry.amount == Decimal("-10.00")
    assert entry.created_by == admin_user


def test_available_subtracts_planned_salaries_pending_expenses_and_reserve():
    activity = ActivityFactory()
    credit(activity, "1000.00")  # 935.00 in the budget
    salary_contract(activity, gross="100.00")  # cost 155.00
    services.activity_set_reserve(activity=activity, amount=Decimal("80.00"), actor=None)
    budget = selectors.activity_budget(activity=activity)
    assert budget.balance == Decimal("935.00")
    assert budget.planned_salaries == Decimal("155.00")
    assert budget.reserve == Decimal("80.00")
    assert budget.available == Decimal("700.00")


def test_paid_salary_moves_from_planned_to_the_ledger_never_counted_twice():
    activity = ActivityFactory()
    credit(activity, "1000.00")
    contract = salary_contract(activity, gross="100.00")
    before = selectors.activity_budget(activity=activity).available
    services.contract_validate(contract=contract, actor=None)
    services.contract_declare(contract=contract, actor=None)
    services.contract_mark_paid(contract=contract, paid_on=dt.date.today(), actor=None)
    budget = selectors.activity_budget(activity=activity)
    assert budget.planned_salaries == 0
    assert budget.balance == Decimal("780.00")
    assert budget.available == before


def test_transfer_moves_budget_between_activities_of_one_entity():
    source = ActivityFactory()
    target = ActivityFactory(entity=source.entity)
    credit(source, "100.00")
    services.activity_transfer(
        from_activity=source,
        to_activity=target,
        amount=Decimal("50"),
        reason="shared gig",
        actor=None,
    )
    assert selectors.activity_budget(activity=target).balance == Decimal("50.00")
    with pytest.raises(ValidationFailed) as error:
        services.activity_transfer(
            from_activity=source,
            to_activity=target,
            amount=Decimal("500"),
            reason="x",
            actor=None,
        )
    assert error.value.code == "insufficient_budget"
    other = ActivityFactory(entity=LegalEntityFactory())  # another entity
    with pytest.raises(ValidationFailed):
        services.activity_transfer(
            from_activity=source, to_activity=other, amount=Decimal("1"), reason="x", actor=None
        )


def test_budget_figures_take_one_query(django_assert_num_queries):
    activity = ActivityFactory()
    for _ in range(5):
        credit(activity, "10.00")
    with django_assert_num_queries(1):
        selectors.activity_budget(activity=activity)


def test_months_are_aggregated_in_the_database(django_assert_num_queries):
    activity = ActivityFactory()
    today = dt.date(2026, 6, 15)
    credit(activity, "100.00", on=dt.date(2025, 1, 10))  # before the window: opening balance
    credit(activity, "200.00", on=dt.date(2026, 5, 3))
    credit(activity, "300.00", on=dt.date(2026, 6, 1))
    with django_assert_num_queries(2):
        months = selectors.activity_months(activity=activity, today=today, months=3)
    assert [m.month for m in months] == [
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 1),
        dt.date(2026, 6, 1),
    ]
    assert months[0].closing_balance == Decimal("93.50")
    assert months[1].income == Decimal("200.00") and months[1].fee == Decimal("-13.00")
    assert months[2].closing_balance == Decimal("561.00")


def test_reconciliation_adds_up(admin_user):
    activity = ActivityFactory()
    credit(activity, "1000.00")
    contract = salary_contract(activity, gross="100.00")
    services.contract_validate(contract=contract, actor=None)
    services.contract_declare(contract=contract, actor=None)
    services.contract_mark_paid(contract=contract, paid_on=dt.date.today(), actor=None)
    result = selectors.reconciliation(entity=activity.entity)
    assert result.ok
    assert result.total == Decimal("780.00")


def test_other_apps_add_reconciliation_checks(monkeypatch):
    activity = ActivityFactory()
    credit(activity, "500.00")
    check = selectors.ExternalCheck(
        label="client payments = payments matched in invoicing",
        kinds=("client_payment",),
        total=lambda entity: Decimal("400.00"),
    )
    monkeypatch.setattr(selectors, "EXTERNAL_CHECKS", [])
    selectors.register_reconciliation_check(check)
    result = selectors.reconciliation(entity=activity.entity)
    assert not result.ok
    assert result.checks[-1].ledger == Decimal("500.00")


def test_contracts_due_for_payment_for_payroll():
    activity = ActivityFactory()
    credit(activity, "1000.00")
    contract = salary_contract(activity)
    services.contract_validate(contract=contract, actor=None)
    services.contract_declare(contract=contract, actor=None)
    due = contract.wage_due_on
    assert list(selectors.contract_list_due_for_payment(entity=activity.entity, on=due)) == [
        contract
    ]
    assert not selectors.contract_list_due_for_payment(
        entity=activity.entity, on=due - dt.timedelta(days=1)
    ).exists()


def test_solidarity_contribution_is_levied_when_the_pack_sets_a_rate(monkeypatch):
    from smartcoop.countries import current_pack

    pack = current_pack()
    original = type(pack).param

    def param(self, name, *, on):
        if name == "solidarity_contribution_rate":
            return Decimal("0.01")
        return original(self, name, on=on)

    monkeypatch.setattr(type(pack), "param", param)
    activity = ActivityFactory()
    booking = credit(activity, "1000.00")
    assert booking.solidarity.amount == Decimal("-10.00")
    assert selectors.activity_budget(activity=activity).balance == Decimal("925.00")
    stats = selectors.solidarity_statistics(year=dt.date.today().year)
    assert stats.contributions_total == Decimal("10.00")
