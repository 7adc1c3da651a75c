"""Every client payment recorded, whichever way it comes in, credits its Activity's budget
exactly once; a payment whose credit cannot be booked is not recorded at all."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scopes_disabled

from activities.models import LedgerEntry
from invoicing import services
from invoicing.models import BankTransaction, Invoice, Payment
from smartcoop.core.errors import ValidationFailed
from tests.invoicing.conftest import LINES
from tests.invoicing.test_bank_and_reminders import camt
from tests.invoicing.test_bank_coda import statement_with

pytestmark = pytest.mark.entity_scope("be_entity")

TODAY = date(2026, 4, 10)


def _issue(member, activity, client) -> Invoice:
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=LINES
    )
    return services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 3, 2))


def _credits_of(payment: Payment):
    return LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.CLIENT_PAYMENT,
        source_type="invoicing.payment",
        source_id=str(payment.public_id),
        reverses__isnull=True,
    )


@time_machine.travel(TODAY)
def test_every_recorded_payment_has_exactly_one_ledger_credit(
    client, member, activity, be_client, be_entity, accountant, customer_service
):
    invoices = [_issue(member, activity, be_client) for _ in range(6)]
    manual, camt_partial, coda_full, by_hand, planned, overpaid = invoices
    # 1. Recorded by hand (bank transfer seen elsewhere, cash).
    services.payment_record(
        invoice=manual, amount=Decimal("300.00"), on=TODAY, source="manual", actor=accountant
    )
    # 2. camt.053: a partial payment, then the rest, matched by structured communication.
    for ref, amount, statement in (("C1", "159.20", "S1"), ("C2", "1000.00", "S2")):
        services.bank_statement_import(
            entity=be_entity,
            actor=accountant,
            file_name=f"{statement}.xml",
            content=camt([(ref, amount, "CRDT", camt_partial.structured_communication)], statement),
        )
    # 3. CODA, matched by structured communication.
    services.bank_statement_import(
        entity=be_entity,
        actor=accountant,
        file_name="march.cod",
        content=statement_with(coda_full.structured_communication),
    )
    # 4. An unmatched statement line matched by hand on the bank page.
    services.bank_statement_import(
        entity=be_entity,
        actor=accountant,
        file_name="S3.xml",
        content=camt([("H1", "1159.20", "CRDT", "thanks for the show")], "S3"),
    )
    row = BankTransaction.objects.get(bank_reference="H1")
    client.force_login(accountant)
    response = client.post(
        reverse("invoicing:staff_bank_match", args=[row.public_id]),
        {"invoice": by_hand.reference},
    )
    assert response.status_code == 302
    # 5. A payment plan, its first instalment paid.
    services.payment_plan_create(
        invoice=planned,
        actor=customer_service,
        instalments=[
            (TODAY + timedelta(days=5), Decimal("600")),
            (TODAY + timedelta(days=35), Decimal("559.20")),
        ],
    )
    services.payment_record(
        invoice=planned, amount=Decimal("600"), on=TODAY, source="manual", actor=customer_service
    )
    # 6. Paid twice over: only what was due is applied (and credited).
    services.bank_statement_import(
        entity=be_entity,
        actor=accountant,
        file_name="S4.xml",
        content=camt([("O1", "2000.00", "CRDT", overpaid.structured_communication)], "S4"),
    )

    payments = list(Payment.objects.select_related("invoice"))
    assert {p.invoice_id for p in payments} == {i.pk for i in invoices}
    assert len(payments) == 7  # the camt partial one came in two payments
    for payment in payments:
        invoice = payment.invoice
        excl = (payment.amount * invoice.total_excl_vat / invoice.total_incl_vat).quantize(
            Decimal("0.01")
        )
        credits = list(_credits_of(payment))
        assert len(credits) == 1, (payment.source, payment.amount, credits)
        assert credits[0].amount == excl and credits[0].activity_id == invoice.activity_id
    # ... and no credit without its payment.
    with scopes_disabled():
        credited = set(
            LedgerEntry.objects.filter(
                kind=LedgerEntry.Kind.CLIENT_PAYMENT, source_type="invoicing.payment"
            ).values_list("source_id", flat=True)
        )
    assert credited == {str(p.public_id) for p in payments}
    overpaid.refresh_from_db()
    assert overpaid.amount_paid == overpaid.total_incl_vat


def test_a_payment_whose_credit_fails_is_not_recorded(issued, accountant, monkeypatch):
    """The ledger credit is part of recording the payment: when activities refuses it, the
    payment, the invoice's paid amount and the audit row are all rolled back, and the caller
    gets the error (no silent skip)."""
    from activities import services as activity_services

    def refuse(**kwargs):
        raise ValidationFailed("The ledger refuses.", field="amount_excl_vat")

    monkeypatch.setattr(activity_services, "activity_credit_client_payment", refuse)
    with pytest.raises(ValidationFailed):
        services.payment_record(
            invoice=issued, amount=Decimal("100.00"), on=TODAY, source="manual", actor=accountant
        )
    issued.refresh_from_db()
    assert issued.amount_paid == 0 and issued.status == Invoice.Status.ISSUED
    assert not Payment.objects.exists()
